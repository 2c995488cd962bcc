/**
 * FenceAgentsRemediation status conditions as fence-agents-remediation sets them
 * (pkg/utils/conditions.go UpdateConditions): Processing, FenceAgentActionSucceeded and
 * Succeeded move together by a reason; a condition whose status does not change keeps its
 * reason and message; lastUpdateTime moves when any condition changed.
 */
import type { KubeObject } from "../../api/types.ts";
import { setCondition } from "../shared/conditions.ts";
import { conditionStatus } from "../shared/objects.ts";

type Status = "True" | "False" | "Unknown";

export type FarReason =
  | "RemediationFinishedNodeNotFound"
  | "RemediationInterruptedByNHC"
  | "RemediationStarted"
  | "FenceAgentSucceeded"
  | "FenceAgentFailed"
  | "FenceAgentTimedOut"
  | "RemediationFinishedSuccessfully";

interface Transition {
  readonly Processing?: Status;
  readonly FenceAgentActionSucceeded?: Status;
  readonly Succeeded?: Status;
  readonly message: string;
}

const TRANSITIONS: Readonly<Record<FarReason, Transition>> = {
  RemediationFinishedNodeNotFound: {
    Processing: "False",
    FenceAgentActionSucceeded: "False",
    Succeeded: "False",
    message: "FAR CR name doesn't match a node name",
  },
  RemediationInterruptedByNHC: {
    Processing: "False",
    FenceAgentActionSucceeded: "False",
    Succeeded: "False",
    message: "Node Healthcheck timeout annotation has been set. Remediation has stopped",
  },
  RemediationStarted: {
    Processing: "True",
    FenceAgentActionSucceeded: "Unknown",
    Succeeded: "Unknown",
    message: "FAR CR was found, its name matches one of the cluster nodes, and a finalizer was set to the CR",
  },
  FenceAgentSucceeded: {
    FenceAgentActionSucceeded: "True",
    message: "FAR taint was added and the fence agent command has been created and executed successfully",
  },
  FenceAgentFailed: {
    Processing: "False",
    FenceAgentActionSucceeded: "False",
    Succeeded: "False",
    message: "Fence agent command has failed",
  },
  FenceAgentTimedOut: {
    Processing: "False",
    FenceAgentActionSucceeded: "False",
    Succeeded: "False",
    message: "Time out occurred while executing the Fence agent command",
  },
  RemediationFinishedSuccessfully: {
    Processing: "False",
    Succeeded: "True",
    message:
      "The unhealthy node was fully remediated (it was tainted, fenced using the fence agent and all the node resources have been deleted)",
  },
};

export function updateFarConditions(draft: KubeObject, reason: FarReason, now: string): boolean {
  const transition = TRANSITIONS[reason];
  let changed = false;
  for (const type of ["Processing", "FenceAgentActionSucceeded", "Succeeded"] as const) {
    const status = transition[type];
    if (status === undefined || conditionStatus(draft, type) === status) continue;
    changed = setCondition(draft, { type, status, reason, message: transition.message }, now) || changed;
  }
  if (changed) draft.status = { ...draft.status, lastUpdateTime: now };
  return changed;
}
