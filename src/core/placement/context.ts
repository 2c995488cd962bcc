/** Builds the per-pass context the plugins read. */
import type { ClusterModel } from "../model/cluster.ts";
import { LoadTracker } from "../model/load.ts";
import type { Placement } from "../model/placement.ts";
import type { BalancePolicySpec } from "../policy/kinds/balance-policy.ts";
import type { PolicySet } from "../policy/policy-set.ts";
import { CycleState, type MoveHistory, type PlacementContext, type Purpose } from "./framework.ts";

export interface ContextInput {
  readonly model: ClusterModel;
  readonly placement: Placement;
  readonly policies: PolicySet;
  readonly balance: BalancePolicySpec;
  readonly purpose: Purpose;
  readonly now: number;
  readonly history?: MoveHistory | undefined;
}

export const NO_HISTORY: MoveHistory = { departures: new Map() };

export function createPlacementContext(input: ContextInput): PlacementContext {
  const { statistic, headroomStatistic } = input.balance.utilization;
  const load = LoadTracker.track(input.placement, statistic);
  const headroom = headroomStatistic === statistic ? load : LoadTracker.track(input.placement, headroomStatistic);
  return {
    model: input.model,
    placement: input.placement,
    policies: input.policies,
    balance: input.balance,
    purpose: input.purpose,
    now: input.now,
    load,
    headroom,
    history: input.history ?? NO_HISTORY,
    state: new CycleState(),
  };
}
