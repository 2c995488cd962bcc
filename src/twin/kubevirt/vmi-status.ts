/**
 * The VMI controller's status update (kubevirt/kubevirt pkg/virt-controller/watch/vmi/lifecycle.go
 * updateStatus, syncReadyConditionFromPod, setActivePods): the phase machine Pending → Scheduling →
 * Scheduled (then virt-handler takes the VMI to Running), the Ready condition mirrored from the
 * virt-launcher pod, and the failure of a VMI whose pod is gone (KubeVirt ≥ 1.2).
 */
import type { KubeObject } from "../api/types.ts";
import { type Condition, copyCondition, conditionOf, removeCondition, setCondition } from "./conditions.ts";
import { type Json, isDeleting, listAt, textAt, uidOf } from "./fields.ts";
import { ANNOTATION, FINALIZER, LABEL } from "./names.ts";
import { podIp, podIsDownOrGoingDown, podIsReady, podNode } from "./pods.ts";
import {
  type Vmi,
  claimVolumesOf,
  isDedicated,
  isFinal,
  isUnprocessed,
  podNetworkInterfaceOf,
  vmiPhase,
} from "./vmi-spec.ts";
import { cloneJson } from "../api/json-clone.ts";

export interface VmiStatusInput {
  readonly vmi: Vmi;
  /** The VMI's current pod (currentPodOf). */
  readonly pod: KubeObject | undefined;
  readonly ownedPods: readonly KubeObject[];
  readonly hasOwnerVm: boolean;
  readonly nowIso: string;
}

export interface VmiUpdate {
  readonly status: Json;
  readonly labels: Record<string, string>;
  readonly finalizers: string[];
  /** Warning events the controller should record. */
  readonly warnings: readonly { readonly reason: string; readonly message: string }[];
}

/** syncReadyConditionFromPod, for the cases where the VMI is not ready. */
function notReadyCondition(vmi: Vmi, pod: KubeObject | undefined): Condition {
  if (!pod) {
    return {
      type: "Ready",
      status: "False",
      reason: "PodNotExists",
      message: "virt-launcher pod has not yet been scheduled",
    };
  }
  if (podIsDownOrGoingDown(pod)) {
    return { type: "Ready", status: "False", reason: "PodTerminating", message: "virt-launcher pod is terminating" };
  }
  if (vmiPhase(vmi) !== "Running") {
    return {
      type: "Ready",
      status: "False",
      reason: "GuestNotRunning",
      message: "Guest VM is not reported as running",
    };
  }
  return {
    type: "Ready",
    status: "False",
    reason: "PodConditionMissing",
    message: "virt-launcher pod is missing the Ready condition",
  };
}

/** A running guest whose pod is up mirrors the pod's Ready condition, timestamps included. */
function applyReady(status: Json, vmi: Vmi, pod: KubeObject | undefined, nowIso: string): void {
  const mirrored =
    pod && !podIsDownOrGoingDown(pod) && vmiPhase(vmi) === "Running" ? conditionOf(pod, "Ready") : undefined;
  if (mirrored) copyCondition(status, mirrored);
  else setCondition(status, notReadyCondition(vmi, pod), nowIso);
}

/** The claims' access modes, from the twin's stand-in for PVCs (the VMI annotation), ReadWriteMany by default. */
function accessModes(vmi: Vmi): Record<string, string[]> {
  const raw = vmi.metadata.annotations?.[ANNOTATION.volumeAccessModes];
  if (raw === undefined) return {};
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== "object" || parsed === null) return {};
    const modes: Record<string, string[]> = {};
    for (const [volume, list] of Object.entries(parsed)) {
      if (Array.isArray(list)) modes[volume] = list.filter((mode): mode is string => typeof mode === "string");
    }
    return modes;
  } catch {
    return {};
  }
}

/** updateVolumeStatus: each volume, with the claim's facts for PVC and DataVolume volumes. */
function volumeStatusOf(vmi: Vmi): Json[] {
  const modes = accessModes(vmi);
  const claims = new Map(claimVolumesOf(vmi).map((volume) => [volume.name, volume.claimName]));
  return listAt(vmi, "spec", "volumes").map((volume) => {
    const name = textAt(volume, "name") ?? "";
    const claimName = claims.get(name);
    const entry: Json = { name, target: "" };
    if (claimName !== undefined) {
      entry.persistentVolumeClaimInfo = {
        claimName,
        accessModes: modes[name] ?? ["ReadWriteMany"],
        volumeMode: "Filesystem",
      };
    }
    return entry;
  });
}

/** updateNetworkStatus: the pod network's interface reports the pod's IP. */
function interfacesOf(vmi: Vmi, pod: KubeObject): Json[] | undefined {
  const ip = podIp(pod);
  if (ip === undefined) return undefined;
  const name = podNetworkInterfaceOf(vmi)?.network ?? "default";
  return [{ name, ipAddress: ip, ipAddresses: [ip], infoSource: "domain" }];
}

function refreshFromPod(status: Json, vmi: Vmi, pod: KubeObject): void {
  status.volumeStatus = volumeStatusOf(vmi);
  const interfaces = interfacesOf(vmi, pod);
  if (interfaces !== undefined) status.interfaces = interfaces;
}

interface Draft {
  readonly status: Json;
  readonly labels: Record<string, string>;
  finalizers: string[];
  readonly warnings: { reason: string; message: string }[];
}

function syncScheduling(draft: Draft, input: VmiStatusInput): void {
  const { vmi, pod } = input;
  const { status } = draft;
  if (!pod) {
    status.phase = "Failed";
    return;
  }
  const qos = textAt(pod, "status", "qosClass");
  if (qos) status.qosClass = qos;
  else delete status.qosClass;
  const scheduled = conditionOf(pod, "PodScheduled");
  if (scheduled && textAt(scheduled, "status") === "False") copyCondition(status, scheduled);
  else removeCondition(status, "PodScheduled");
  if (podIsReady(pod) && !isDeleting(vmi)) {
    if (isDedicated(vmi) && qos !== "Guaranteed") {
      draft.warnings.push({ reason: "FailedGuaranteePodResources", message: "failed to guarantee pod resources" });
      return;
    }
    refreshFromPod(status, vmi, pod);
    status.phase = "Scheduled";
    draft.labels[LABEL.nodeName] = podNode(pod);
    status.nodeName = podNode(pod);
    status.migrationTransport = "Unix";
  } else if (podIsDownOrGoingDown(pod)) {
    status.phase = "Failed";
  }
}

function syncFinal(draft: Draft, input: VmiStatusInput): void {
  if (input.ownedPods.length === 0) {
    draft.finalizers = draft.finalizers.filter((item) => item !== FINALIZER.vmiForeground);
  }
  if (!input.hasOwnerVm) draft.finalizers = draft.finalizers.filter((item) => item !== FINALIZER.vmController);
}

function syncPhase(draft: Draft, input: VmiStatusInput): void {
  const { vmi, pod } = input;
  const phase = vmiPhase(vmi);
  if (isUnprocessed(vmi)) {
    if (pod) draft.status.phase = "Scheduling";
    else draft.status.phase = isDeleting(vmi) ? "Failed" : "Pending";
  } else if (phase === "Scheduling") syncScheduling(draft, input);
  else if (isFinal(vmi)) syncFinal(draft, input);
  else if (phase === "Running" || phase === "Scheduled") {
    // Since KubeVirt 1.2 a VMI whose pod object is gone fails at once (lifecycle.go, PR #10961).
    if (!pod) draft.status.phase = "Failed";
    else refreshFromPod(draft.status, vmi, pod);
  }
}

function syncEvictionRequested(status: Json, nowIso: string): void {
  if (textAt(status, "evacuationNodeName")) {
    setCondition(
      status,
      { type: "EvictionRequested", status: "True", reason: "EvictionRequested", message: "VMI is marked for eviction" },
      nowIso,
    );
  } else removeCondition(status, "EvictionRequested");
}

/** SetVMIPhaseTransitionTimestamp: the first time the VMI enters a phase. */
export function stampPhase(status: Json, previousPhase: string, nowIso: string): void {
  const phase = textAt(status, "phase") ?? "";
  if (phase === previousPhase || phase === "") return;
  const stamps = listAt(status, "phaseTransitionTimestamps");
  if (stamps.some((stamp) => textAt(stamp, "phase") === phase)) return;
  status.phaseTransitionTimestamps = [...stamps, { phase, phaseTransitionTimestamp: nowIso }];
}

export function nextVmiStatus(input: VmiStatusInput): VmiUpdate {
  const { vmi } = input;
  const draft: Draft = {
    status: cloneJson(vmi.status ?? {}),
    labels: { ...vmi.metadata.labels },
    finalizers: [...(vmi.metadata.finalizers ?? [])],
    warnings: [],
  };
  if (input.ownedPods.length > 0 || draft.status.activePods !== undefined) {
    draft.status.activePods = Object.fromEntries(input.ownedPods.map((pod) => [uidOf(pod), podNode(pod)]));
  }
  applyReady(draft.status, vmi, input.pod, input.nowIso);
  syncPhase(draft, input);
  syncEvictionRequested(draft.status, input.nowIso);
  stampPhase(draft.status, vmiPhase(vmi), input.nowIso);
  return draft;
}

/** Orders objects by creation; the indexes know the exact order, the timestamps only the second. */
export type CreationOrder = (a: KubeObject, b: KubeObject) => number;

const byTimestamp: CreationOrder = (a, b) => {
  const at = a.metadata.creationTimestamp ?? "";
  const bt = b.metadata.creationTimestamp ?? "";
  return at === bt ? 0 : at < bt ? -1 : 1;
};

/** CurrentVMIPod: the newest pod the VMI controls on its node, or the newest of all before it has a node. */
export function currentPodOf(
  vmi: Vmi,
  ownedPods: readonly KubeObject[],
  order: CreationOrder = byTimestamp,
): KubeObject | undefined {
  const node = textAt(vmi, "status", "nodeName") ?? "";
  let current: KubeObject | undefined;
  for (const pod of ownedPods) {
    if (node !== "" && podNode(pod) !== node) continue;
    if (!current || order(pod, current) > 0) current = pod;
  }
  return current;
}
