/**
 * How KubeVirt reads a virt-launcher pod (kubevirt/kubevirt pkg/controller/controller.go:
 * IsPodReady, IsPodDownOrGoingDown, PodIsDown; pkg/virt-controller/watch/node/node.go alivePodsOnNode).
 */
import type { KubeObject } from "../api/types.ts";
import { at, isDeleting, listAt, recordAt, textAt } from "./fields.ts";
import { LABEL } from "./names.ts";

export function podPhase(pod: KubeObject): string {
  return textAt(pod, "status", "phase") ?? "Pending";
}

export function podNode(pod: KubeObject): string {
  return textAt(pod, "spec", "nodeName") ?? "";
}

export function isLauncherPod(pod: KubeObject): boolean {
  return pod.metadata.labels?.[LABEL.app] === "virt-launcher";
}

/** PodIsDown: the pod finished, successfully or not. */
export function podIsDown(pod: KubeObject): boolean {
  const phase = podPhase(pod);
  return phase === "Succeeded" || phase === "Failed";
}

function computeStatus(pod: KubeObject): unknown {
  return listAt(pod, "status", "containerStatuses").find((status) => textAt(status, "name") === "compute");
}

function computeTerminated(pod: KubeObject): boolean {
  return recordAt(computeStatus(pod), "state", "terminated") !== undefined;
}

export function podIsDownOrGoingDown(pod: KubeObject): boolean {
  return podIsDown(pod) || computeTerminated(pod) || isDeleting(pod);
}

/**
 * IsPodReady: "ready to be handed over to virt-handler" — running, not going down, the compute
 * container started. The pod's Ready condition is not consulted (it waits for the VMI's readiness).
 * A compute status without container state counts as started when it reports ready.
 */
export function podIsReady(pod: KubeObject): boolean {
  if (podIsDownOrGoingDown(pod)) return false;
  const compute = computeStatus(pod);
  if (compute !== undefined && recordAt(compute, "state", "running") === undefined && at(compute, "ready") !== true)
    return false;
  return podPhase(pod) === "Running";
}

/** alivePodsOnNode: a pod counts as alive unless it finished or all its containers terminated. */
export function podIsAlive(pod: KubeObject): boolean {
  if (podIsDown(pod)) return false;
  const statuses = listAt(pod, "status", "containerStatuses");
  if (statuses.length === 0) return true;
  return statuses.some((status) => at(status, "state", "terminated") === undefined);
}

export function podIp(pod: KubeObject): string | undefined {
  return textAt(pod, "status", "podIP");
}

/** When the pod was created, in ms (the migration controller's pending timeouts count from it). */
export function podCreatedAt(pod: KubeObject): number {
  const created = pod.metadata.creationTimestamp;
  return created ? Date.parse(created) : 0;
}

export function isPodUnschedulable(pod: KubeObject): boolean {
  if (podPhase(pod) !== "Pending" || isDeleting(pod)) return false;
  return listAt(pod, "status", "conditions").some(
    (condition) =>
      textAt(condition, "type") === "PodScheduled" &&
      textAt(condition, "status") === "False" &&
      textAt(condition, "reason") === "Unschedulable",
  );
}
