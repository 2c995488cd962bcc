/** Builds the per-pass context the plugins read. */
import type { ClusterModel } from "../model/cluster.ts";
import { LoadTracker, type UsageStatistic } from "../model/load.ts";
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

/** One tracker per placement and statistic: domains planned on one placement share them. */
const trackers = new WeakMap<Placement, Map<UsageStatistic, LoadTracker>>();

function trackerFor(placement: Placement, statistic: UsageStatistic): LoadTracker {
  let byStatistic = trackers.get(placement);
  if (!byStatistic) {
    byStatistic = new Map();
    trackers.set(placement, byStatistic);
  }
  let tracker = byStatistic.get(statistic);
  if (!tracker) {
    tracker = LoadTracker.track(placement, statistic);
    byStatistic.set(statistic, tracker);
  }
  return tracker;
}

export function createPlacementContext(input: ContextInput): PlacementContext {
  const { statistic, headroomStatistic } = input.balance.utilization;
  const load = trackerFor(input.placement, statistic);
  const headroom = trackerFor(input.placement, headroomStatistic);
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
