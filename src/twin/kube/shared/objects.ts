/**
 * Typed reads of the loosely typed objects the store holds: the fields of pods and nodes the
 * simulated controllers act on. Objects are parsed here, once, instead of poking at
 * `Record<string, unknown>` all over the controllers.
 */
import type { Labels, TaintEffect, Toleration } from "../../../core/model/selectors.ts";
import { type KubeObject, isRecord } from "../../api/types.ts";

export function asRecord(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}

export function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? (value as unknown[]) : [];
}

export function asText(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

export function asNumber(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

export function nameOf(object: KubeObject): string {
  return object.metadata.name ?? "";
}

/** `namespace/name`, the key controllers index objects by. */
export function keyOf(object: KubeObject): string {
  const namespace = object.metadata.namespace;
  return namespace ? `${namespace}/${nameOf(object)}` : nameOf(object);
}

export function refOf(object: KubeObject): { namespace: string | undefined; name: string } {
  return { namespace: object.metadata.namespace, name: nameOf(object) };
}

export function labelsOf(object: KubeObject): Labels {
  return object.metadata.labels ?? {};
}

export function annotationOf(object: KubeObject, key: string): string | undefined {
  return object.metadata.annotations?.[key];
}

export function isDeleting(object: KubeObject): boolean {
  return Boolean(object.metadata.deletionTimestamp);
}

// --- Pods -------------------------------------------------------------------------------------

export type PodPhase = "Pending" | "Running" | "Succeeded" | "Failed" | "Unknown";

export function podNodeName(pod: KubeObject): string | undefined {
  return asText(pod.spec?.nodeName);
}

export function podPhase(pod: KubeObject): PodPhase {
  const phase = asText(pod.status?.phase);
  return phase === "Running" || phase === "Succeeded" || phase === "Failed" || phase === "Unknown" ? phase : "Pending";
}

/** Succeeded or Failed: the pod's containers will not run again and it holds no resources. */
export function isTerminal(pod: KubeObject): boolean {
  const phase = podPhase(pod);
  return phase === "Succeeded" || phase === "Failed";
}

export function schedulerNameOf(pod: KubeObject): string {
  return asText(pod.spec?.schedulerName) ?? "default-scheduler";
}

export function restartPolicyOf(pod: KubeObject): "Always" | "OnFailure" | "Never" {
  const policy = asText(pod.spec?.restartPolicy);
  return policy === "Never" || policy === "OnFailure" ? policy : "Always";
}

export function tolerationsOf(pod: KubeObject): Toleration[] {
  return asList(pod.spec?.tolerations).filter(isRecord).map(parseToleration);
}

function parseToleration(raw: Record<string, unknown>): Toleration {
  const effect = asText(raw.effect);
  const operator = asText(raw.operator);
  return {
    key: asText(raw.key),
    operator: operator === "Exists" ? "Exists" : operator === "Equal" ? "Equal" : undefined,
    value: asText(raw.value),
    effect: isTaintEffect(effect) ? effect : undefined,
    tolerationSeconds: asNumber(raw.tolerationSeconds),
  };
}

export function containersOf(pod: KubeObject): Record<string, unknown>[] {
  return asList(pod.spec?.containers).filter(isRecord);
}

export function isDaemonSetPod(pod: KubeObject): boolean {
  return (pod.metadata.ownerReferences ?? []).some((owner) => owner.controller === true && owner.kind === "DaemonSet");
}

/** Static pods the kubelet runs from files show up as mirror pods: the API cannot delete them for real. */
export function isMirrorPod(pod: KubeObject): boolean {
  return annotationOf(pod, "kubernetes.io/config.mirror") !== undefined;
}

// --- Nodes ------------------------------------------------------------------------------------

export interface NodeTaint {
  readonly key: string;
  readonly value?: string | undefined;
  readonly effect: TaintEffect;
  readonly timeAdded?: string | undefined;
}

export function isTaintEffect(value: unknown): value is TaintEffect {
  return value === "NoSchedule" || value === "PreferNoSchedule" || value === "NoExecute";
}

export function taintsOf(node: KubeObject): NodeTaint[] {
  const taints: NodeTaint[] = [];
  for (const raw of asList(node.spec?.taints)) {
    if (!isRecord(raw) || !isTaintEffect(raw.effect) || typeof raw.key !== "string") continue;
    taints.push({ key: raw.key, value: asText(raw.value), effect: raw.effect, timeAdded: asText(raw.timeAdded) });
  }
  return taints;
}

export function isUnschedulable(node: KubeObject): boolean {
  return node.spec?.unschedulable === true;
}

// --- Conditions -------------------------------------------------------------------------------

export interface Condition {
  readonly type: string;
  readonly status: string;
  readonly reason?: string | undefined;
  readonly message?: string | undefined;
  readonly lastTransitionTime?: string | undefined;
  readonly lastHeartbeatTime?: string | undefined;
}

export function conditionsOf(object: KubeObject): Condition[] {
  const found: Condition[] = [];
  for (const raw of asList(object.status?.conditions)) {
    if (!isRecord(raw) || typeof raw.type !== "string") continue;
    found.push({
      type: raw.type,
      status: asText(raw.status) ?? "Unknown",
      reason: asText(raw.reason),
      message: asText(raw.message),
      lastTransitionTime: asText(raw.lastTransitionTime),
      lastHeartbeatTime: asText(raw.lastHeartbeatTime),
    });
  }
  return found;
}

export function conditionOf(object: KubeObject, type: string): Condition | undefined {
  return conditionsOf(object).find((condition) => condition.type === type);
}

/** "True", "False" or "Unknown"; undefined when the condition is absent. */
export function conditionStatus(object: KubeObject, type: string): string | undefined {
  return conditionOf(object, type)?.status;
}

export function isPodReady(pod: KubeObject): boolean {
  return conditionStatus(pod, "Ready") === "True";
}

export function isNodeReady(node: KubeObject): boolean {
  return conditionStatus(node, "Ready") === "True";
}
