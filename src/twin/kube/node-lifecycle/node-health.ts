/**
 * The node lifecycle controller's verdicts on one node, as pure functions of the node object:
 * - tryUpdateNodeHealth: once the kubelet has been silent for the grace period, every condition
 *   the kubelet owns becomes Unknown (reason NodeStatusUnknown, "Kubelet stopped posting node
 *   status."; NodeStatusNeverUpdated for a node that never posted);
 * - TaintNodesByCondition: the NoSchedule taints that mirror the conditions and the cordon.
 */
import type { KubeObject } from "../../api/types.ts";
import { type ConditionChange, setConditions } from "../shared/conditions.ts";
import { conditionOf, conditionsOf, isUnschedulable, taintsOf } from "../shared/objects.ts";
import { TAINT } from "../shared/taints.ts";

const KUBELET_CONDITIONS = ["Ready", "MemoryPressure", "DiskPressure", "PIDPressure"] as const;

/** Sets the kubelet's conditions to Unknown on a draft; false when they already were. */
export function markStatusUnknown(draft: KubeObject, now: string): boolean {
  const changes: ConditionChange[] = KUBELET_CONDITIONS.map((type) => {
    const existing = conditionOf(draft, type);
    if (existing?.status === "Unknown")
      return { type, status: "Unknown", reason: existing.reason, message: existing.message };
    if (existing) {
      return { type, status: "Unknown", reason: "NodeStatusUnknown", message: "Kubelet stopped posting node status." };
    }
    return {
      type,
      status: "Unknown",
      reason: "NodeStatusNeverUpdated",
      message: "Kubelet never posted node status.",
      extra: { lastHeartbeatTime: draft.metadata.creationTimestamp },
    };
  });
  return setConditions(draft, changes, now);
}

const CONDITION_TAINTS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  Ready: { False: TAINT.notReady, Unknown: TAINT.unreachable },
  MemoryPressure: { True: TAINT.memoryPressure },
  DiskPressure: { True: TAINT.diskPressure },
  NetworkUnavailable: { True: TAINT.networkUnavailable },
  PIDPressure: { True: TAINT.pidPressure },
};

const CONDITION_TAINT_KEYS: ReadonlySet<string> = new Set([
  ...Object.values(CONDITION_TAINTS).flatMap((byStatus) => Object.values(byStatus)),
  TAINT.unschedulable,
]);

/** The NoSchedule taints the node should carry for its conditions and cordon, and those it has. */
export function conditionTaintDiff(node: KubeObject): { add: string[]; remove: string[] } {
  const desired = new Set<string>();
  for (const condition of conditionsOf(node)) {
    const key = CONDITION_TAINTS[condition.type]?.[condition.status];
    if (key) desired.add(key);
  }
  if (isUnschedulable(node)) desired.add(TAINT.unschedulable);
  const present = new Set(
    taintsOf(node)
      .filter((taint) => taint.effect === "NoSchedule" && CONDITION_TAINT_KEYS.has(taint.key))
      .map((taint) => taint.key),
  );
  return {
    add: [...desired].filter((key) => !present.has(key)),
    remove: [...present].filter((key) => !desired.has(key)),
  };
}
