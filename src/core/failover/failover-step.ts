/**
 * failoverStep: one round of failover for one node, joining fencing and the restart order. It
 * carries the safety rule in one place: VMs are released for restart only when the node is failed
 * and its fencing is confirmed; a suspect or healthy node is never fenced, and while fencing is
 * pending, failed or exhausted nothing restarts.
 */
import type { ClusterModel } from "../model/cluster.ts";
import type { PolicySet } from "../policy/policy-set.ts";
import { isFenced, nextFenceAction } from "./fencing.ts";
import { failoverPolicyFor } from "./detect.ts";
import { restartOrder } from "./restart-order.ts";
import type { FenceAction, FenceObservation, NodeHealthState, RestartDecision } from "./types.ts";

export interface FailoverStepInput {
  readonly model: ClusterModel;
  readonly policies: PolicySet;
  /** Milliseconds since the epoch. */
  readonly now: number;
  readonly node: string;
  readonly health: NodeHealthState;
  /** What the fencing step in progress has observed; undefined before fencing began. */
  readonly observation: FenceObservation | undefined;
  /** VM keys already Running again elsewhere. */
  readonly running: ReadonlySet<string>;
  readonly classSince?: ReadonlyMap<string, number> | undefined;
}

export interface FailoverStep {
  /** What fencing does next; undefined when the node is not failed or no FailoverPolicy selects it. */
  readonly fence: FenceAction | undefined;
  /** The restart order, computed only once fencing is confirmed; empty before. */
  readonly order: readonly RestartDecision[];
  /** The VMs that may restart now: the order's "restart" decisions, and none unless the node is fenced. */
  readonly restarts: readonly RestartDecision[];
}

const NOTHING: FailoverStep = { fence: undefined, order: [], restarts: [] };

export function failoverStep(input: FailoverStepInput): FailoverStep {
  if (input.health !== "failed") return NOTHING;
  const index = input.model.nodeIndex.get(input.node);
  const node = index === undefined ? undefined : input.model.nodes[index];
  const policy = node && failoverPolicyFor(input.policies, node);
  if (!policy) return NOTHING;
  const fence = nextFenceAction(policy.spec.fencing, input.observation, input.now);
  if (!isFenced(fence)) return { fence, order: [], restarts: [] };
  const order = restartOrder(input);
  return { fence, order, restarts: order.filter((decision) => decision.action === "restart") };
}
