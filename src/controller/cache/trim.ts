/**
 * What the cache keeps of each object: everything the snapshot converters and the controller read,
 * nothing the API server or KubeVirt keep for themselves. Every object loses managedFields and
 * last-applied copies. A virt-launcher pod keeps only its scheduling facts; a VirtualMachine only
 * how it runs and the DataVolumes it asked for (its template is the VMI, which the cache holds
 * anyway); a VMI drops KubeVirt's bookkeeping from its status. At 30,000 VMs the cache is most of
 * the controller's live heap (`npm run bench -- controller` prices each resource).
 */
import { isJsonObject, type JsonObject } from "../../adapters/kube/convert/meta.ts";

const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

/** VirtualMachine spec fields the converters read (src/adapters/kube/convert/virtual-machine.ts). */
const VM_SPEC_FIELDS = ["runStrategy", "running", "dataVolumeTemplates"] as const;

/**
 * VMI status fields the converters (vm.ts, snapshot.ts, vm-resources.ts, vm-volumes.ts) and the
 * executor read. Left behind: phase transition times, interfaces, guest OS info, active pods,
 * QoS class, migration state and method, launcher image and the like.
 */
const VMI_STATUS_FIELDS = ["phase", "nodeName", "conditions", "machine", "topologyHints", "memory"] as const;

function slimMetadata(metadata: unknown): JsonObject | undefined {
  if (typeof metadata !== "object" || metadata === null) return undefined;
  const { managedFields: _managed, annotations, ...kept } = metadata as JsonObject & { annotations?: JsonObject };
  if (annotations === undefined || !(LAST_APPLIED in annotations)) return annotations ? { ...kept, annotations } : kept;
  const { [LAST_APPLIED]: _applied, ...otherAnnotations } = annotations;
  return { ...kept, annotations: otherAnnotations };
}

/** The fields of `object` named in `fields` that it has, so a field that is absent stays absent. */
function pick(object: JsonObject, fields: readonly string[]): JsonObject {
  return Object.fromEntries(fields.filter((field) => field in object).map((field) => [field, object[field]]));
}

/** The metadata trimmed, or the object as it is when it has none to trim. */
function withSlimMetadata(object: JsonObject): JsonObject {
  const metadata = slimMetadata(object.metadata);
  return metadata === undefined ? object : { ...object, metadata };
}

/** A VirtualMachine: identity, run strategy and DataVolume templates; no template, no status. */
function trimVirtualMachine(vm: JsonObject): JsonObject {
  if (!isJsonObject(vm.spec)) return withSlimMetadata(vm);
  return {
    ...withSlimMetadata(pick(vm, ["apiVersion", "kind", "metadata"])),
    spec: pick(vm.spec, VM_SPEC_FIELDS),
  };
}

/** A volumeStatus entry: its name and the claim's modes (what a volume's migratability is read from). */
function slimVolumeStatus(entry: unknown): unknown {
  if (!isJsonObject(entry)) return entry;
  const claim = entry.persistentVolumeClaimInfo;
  const kept = pick(entry, ["name"]);
  return claim === undefined
    ? kept
    : { ...kept, persistentVolumeClaimInfo: isJsonObject(claim) ? pick(claim, ["accessModes", "volumeMode"]) : claim };
}

/** A VMI: metadata and spec whole (labels, annotations and the whole domain are read), status cut down. */
function trimVirtualMachineInstance(vmi: JsonObject): JsonObject {
  const trimmed = withSlimMetadata(vmi);
  if (!isJsonObject(vmi.status)) return trimmed;
  const volumes = vmi.status.volumeStatus;
  const status = {
    ...pick(vmi.status, VMI_STATUS_FIELDS),
    ...(volumes !== undefined && { volumeStatus: Array.isArray(volumes) ? volumes.map(slimVolumeStatus) : volumes }),
  };
  return { ...trimmed, status };
}

const BY_KIND: ReadonlyMap<unknown, (object: JsonObject) => JsonObject> = new Map([
  ["VirtualMachine", trimVirtualMachine],
  ["VirtualMachineInstance", trimVirtualMachineInstance],
]);

/**
 * Any object, by its kind. List items of custom resources (VMs, VMIs) always carry their kind; an
 * object without one keeps everything but its managedFields and last-applied copy.
 */
export function trimObject(object: JsonObject): JsonObject {
  const byKind = BY_KIND.get(object.kind);
  return byKind ? byKind(object) : withSlimMetadata(object);
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
