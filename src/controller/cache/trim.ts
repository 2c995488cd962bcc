/**
 * What the cache keeps of each object: everything the snapshot converters read, nothing the API
 * server keeps for itself (managedFields, last-applied copies). A virt-launcher pod keeps only its
 * scheduling facts; that is most of the memory saved at 30,000 VMs.
 */
import type { JsonObject } from "../../adapters/kube/convert/meta.ts";

const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

function slimMetadata(metadata: unknown): JsonObject | undefined {
  if (typeof metadata !== "object" || metadata === null) return undefined;
  const { managedFields: _managed, annotations, ...kept } = metadata as JsonObject & { annotations?: JsonObject };
  if (annotations === undefined || !(LAST_APPLIED in annotations)) return annotations ? { ...kept, annotations } : kept;
  const { [LAST_APPLIED]: _applied, ...otherAnnotations } = annotations;
  return { ...kept, annotations: otherAnnotations };
}

export function trimObject(object: JsonObject): JsonObject {
  const metadata = slimMetadata(object.metadata);
  return metadata === undefined ? object : { ...object, metadata };
}

function slimContainer(container: unknown): JsonObject {
  const { name, resources, restartPolicy } = (container ?? {}) as JsonObject;
  return { name, resources, ...(restartPolicy !== undefined && { restartPolicy }) };
}

function slimContainers(list: unknown): JsonObject[] | undefined {
  return Array.isArray(list) ? list.map(slimContainer) : undefined;
}

/** A launcher pod: labels, owner, node, requests, limits, overhead, migration selectors, phase. */
export function trimPod(pod: JsonObject): JsonObject {
  const spec = (pod.spec ?? {}) as JsonObject;
  const status = (pod.status ?? {}) as JsonObject;
  const metadata = slimMetadata(pod.metadata) ?? {};
  const { annotations: _annotations, ...podMetadata } = metadata;
  return {
    apiVersion: pod.apiVersion,
    kind: pod.kind,
    metadata: podMetadata,
    spec: {
      nodeName: spec.nodeName,
      nodeSelector: spec.nodeSelector,
      containers: slimContainers(spec.containers),
      initContainers: slimContainers(spec.initContainers),
      overhead: spec.overhead,
    },
    status: { phase: status.phase },
  };
}
