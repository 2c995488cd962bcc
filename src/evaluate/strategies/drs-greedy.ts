/**
 * DRS' one-best-move greedy (src/baselines/drs-greedy.ts) in the replay, with vSphere DRS' defaults:
 * a pass every 5 minutes (pollPeriodSec 300), migration threshold 3, whose target imbalance for n hosts
 * is (5 − 3) / (10·√n) (shared reference anchors-drs-ha-literature §1.2), and at most 40 moves a pass
 * (DRS' per-host MaxMovesPerHost 8 allows "30–40 vMotions per cluster pass", §1.4). DRS keeps no
 * per-VM cooldown, so the snapshot it sees carries no migration history.
 */
import { drsGreedy } from "../../baselines/drs-greedy.ts";
import type { PolicySet } from "../../core/policy/policy-set.ts";
import { replayModel } from "../replay-snapshot.ts";
import type { ReplayMove, ReplayState, ReplayStrategy } from "../replay-types.ts";
import { indexMoves, usageSettingsOf } from "./moves.ts";

const MIGRATION_THRESHOLD = 3;
const MAX_MOVES_PER_PASS = 40;
const POLL_PERIOD_MS = 300_000;

export const DRS_GREEDY_SIMPLIFICATIONS: readonly string[] = [
  "Imbalance is kubedrs' balance-domain measure (CPU and memory utilization, mean over the metrics window), not vCenter's entitlement-based host load; demand stands in for entitlement.",
  "The per-pass budget is 40 moves for the cluster, not DRS' adaptive per-host MaxMovesPerHost.",
  "Each step looks at the VMs of the 32 most loaded hosts against the 32 least loaded feasible hosts, not every pair.",
  "No cost-benefit or risk filter beyond skipping migrations the model says would not converge.",
];

export function drsTargetImbalance(hosts: number): number {
  return (5 - MIGRATION_THRESHOLD) / (10 * Math.sqrt(Math.max(1, hosts)));
}

export function drsGreedyStrategy({ policies }: { readonly policies: PolicySet }): ReplayStrategy {
  const settings = usageSettingsOf(policies);
  return {
    name: "drs-greedy",
    intervalMs: POLL_PERIOD_MS,
    decide(state: ReplayState): readonly ReplayMove[] {
      const model = replayModel({ ...state, migrations: [] }, settings);
      const result = drsGreedy({
        model,
        policies,
        now: state.now,
        targetImbalance: drsTargetImbalance(state.hosts.length),
        maxMoves: MAX_MOVES_PER_PASS,
      });
      return indexMoves(state, result.moves);
    },
  };
}
