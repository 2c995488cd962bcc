/**
 * The virt-launcher pod KubeVirt renders for a VMI (pkg/virt-controller/services/template.go
 * renderLaunchManifest, podLabels, generatePodAnnotations): its labels, annotations, owner,
 * selectors, affinity, tolerations and the compute container's resources.
 */
import { createHash } from "node:crypto";
import type { KubeObject } from "../api/types.ts";
import type { KubeVirtConfig } from "./config.ts";
import { annotationsOf, at, labelsOf, listAt, nameOf, textAt, uidOf } from "./fields.ts";
import { formatAmounts, launcherResourcesOf } from "./launcher-resources.ts";
import { ANNOTATION, KUBEVIRT_API_VERSION, LABEL, LAUNCHER_IMAGE, UNPAUSED_CONDITION } from "./names.ts";
import { launcherAffinity, launcherNodeSelector } from "./node-selectors.ts";
import { type Vmi, gracePeriodSecondsOf } from "./vmi-spec.ts";
import { cloneJson } from "../api/json-clone.ts";

/** renderLaunchManifest pads the VMI's grace period twice by 15 s, so virt-handler can stop the guest first. */
const GRACE_PERIOD_PADDING_SECONDS = 15;
const DNS1123_LABEL_MAX = 63;
const VMI_ID_HASH_LENGTH = 8;

/** dns.SanitizeHostname: spec.hostname, else the VMI name up to the first dot, at most 63 characters. */
export function launcherHostname(vmi: Vmi): string {
  const hostname = textAt(vmi, "spec", "hostname");
  if (hostname) return hostname;
  return (nameOf(vmi).split(".")[0] ?? "").slice(0, DNS1123_LABEL_MAX);
}

/** CalculateVirtualMachineInstanceID: the name itself, or for names over 63 characters a prefix and a SHA-1 hash. */
export function vmiIdOf(name: string): string {
  if (name.length <= DNS1123_LABEL_MAX) return name;
  const hash = createHash("sha1").update(name).digest("hex").slice(0, VMI_ID_HASH_LENGTH);
  return `${name.slice(0, DNS1123_LABEL_MAX - VMI_ID_HASH_LENGTH - 1)}-${hash}`;
}

function launcherLabels(vmi: Vmi): Record<string, string> {
  return {
    ...labelsOf(vmi),
    [LABEL.app]: "virt-launcher",
    [LABEL.createdBy]: uidOf(vmi),
    [LABEL.vmName]: launcherHostname(vmi),
    [LABEL.vmiId]: vmiIdOf(nameOf(vmi)),
  };
}

function isCopiedAnnotation(key: string): boolean {
  return (
    !key.startsWith("kubectl.kubernetes.io") &&
    !key.startsWith("kubevirt.io/storage-observed-api-version") &&
    !key.startsWith("kubevirt.io/latest-observed-api-version")
  );
}

/** The VMI's annotations (filterVMIAnnotationsForPod) and KubeVirt's own; the initial placement only when asked. */
function launcherAnnotations(vmi: Vmi, initialPlacement: boolean): Record<string, string> {
  const annotations: Record<string, string> = { [ANNOTATION.domain]: nameOf(vmi) };
  for (const [key, value] of Object.entries(annotationsOf(vmi))) {
    if (isCopiedAnnotation(key) && key !== ANNOTATION.initialNode) annotations[key] = value;
  }
  const initialNode = vmi.metadata.annotations?.[ANNOTATION.initialNode];
  if (initialPlacement && initialNode !== undefined) annotations[ANNOTATION.initialNode] = initialNode;
  annotations[ANNOTATION.defaultContainer] = "compute";
  annotations[ANNOTATION.migrationTransportUnix] = "true";
  annotations[ANNOTATION.evictOnly] = "";
  return annotations;
}

/** The pod's QoS class as the API server computes it for a single container. */
export function qosClassOf(requests: Record<string, string>, limits: Record<string, string>): string {
  const guaranteed = ["cpu", "memory"].every(
    (name) => limits[name] !== undefined && (requests[name] === undefined || requests[name] === limits[name]),
  );
  if (guaranteed) return "Guaranteed";
  const none = Object.keys(requests).length === 0 && Object.keys(limits).length === 0;
  return none ? "BestEffort" : "Burstable";
}

function optional(spec: Record<string, unknown>, key: string, value: unknown): void {
  if (value !== undefined && value !== "" && !(Array.isArray(value) && value.length === 0)) spec[key] = value;
}

export interface LaunchPodOptions {
  /** Copy the twin's initial-node annotation: the VM's first launch pod only. */
  readonly initialPlacement: boolean;
}

export function renderLauncherPod(vmi: Vmi, config: KubeVirtConfig, options: LaunchPodOptions): KubeObject {
  const resources = launcherResourcesOf(vmi, config);
  const requests = formatAmounts(resources.requests);
  const limits = formatAmounts(resources.limits);
  const spec: Record<string, unknown> = {
    hostname: launcherHostname(vmi),
    terminationGracePeriodSeconds: gracePeriodSecondsOf(vmi) + 2 * GRACE_PERIOD_PADDING_SECONDS,
    restartPolicy: "Never",
    containers: [
      {
        name: "compute",
        image: LAUNCHER_IMAGE,
        command: ["/usr/bin/virt-launcher-monitor"],
        resources: { requests, ...(Object.keys(limits).length > 0 && { limits }) },
      },
    ],
    nodeSelector: launcherNodeSelector(vmi, config),
    readinessGates: [{ conditionType: UNPAUSED_CONDITION }],
    enableServiceLinks: false,
    automountServiceAccountToken: false,
  };
  optional(spec, "subdomain", textAt(vmi, "spec", "subdomain"));
  optional(spec, "schedulerName", textAt(vmi, "spec", "schedulerName"));
  optional(spec, "tolerations", cloneJson(listAt(vmi, "spec", "tolerations")));
  optional(spec, "topologySpreadConstraints", cloneJson(listAt(vmi, "spec", "topologySpreadConstraints")));
  optional(spec, "priorityClassName", textAt(vmi, "spec", "priorityClassName"));
  optional(spec, "affinity", launcherAffinity(vmi));
  optional(spec, "dnsPolicy", at(vmi, "spec", "dnsPolicy"));
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      generateName: `virt-launcher-${nameOf(vmi)}-`,
      namespace: vmi.metadata.namespace,
      labels: launcherLabels(vmi),
      annotations: launcherAnnotations(vmi, options.initialPlacement),
      ownerReferences: [
        {
          apiVersion: KUBEVIRT_API_VERSION,
          kind: "VirtualMachineInstance",
          name: nameOf(vmi),
          uid: uidOf(vmi),
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec,
    status: { phase: "Pending", qosClass: qosClassOf(requests, limits) },
  };
}
