/**
 * What the aggressiveness slider means, as one table. Like the DRS migration threshold, level 1
 * only makes mandatory moves (broken Required rules) and each level up accepts smaller gains.
 *
 * - triggerImbalance: balancing starts when the imbalance (weighted standard deviation of node
 *   utilization, 0..1) exceeds it, or when a node is above its utilization ceiling.
 * - goalImbalance: a pass that starts plans down to this, so the next pass does not start again
 *   right away (hysteresis).
 * - minGain: the least net gain a move must bring, in balance points.
 * - costPerGiB: what a move is charged per GiB it copies, in balance points.
 *
 * A balance point is one squared percentage point of deviation from the mean removed, summed over
 * the nodes and weighted over CPU and memory (weights normalized to sum 1). Moving a VM that uses
 * 10% of a node's CPU from a node 20 points above the mean to one 20 points below takes their
 * squared deviations from 400 + 400 to 100 + 100: 600 points of CPU, 300 at CPU weight one half.
 */
import type { BalancePolicySpec } from "../policy/kinds/balance-policy.ts";

export interface Thresholds {
  readonly balancing: boolean;
  readonly triggerImbalance: number;
  readonly goalImbalance: number;
  readonly minGain: number;
  readonly costPerGiB: number;
}

export const AGGRESSIVENESS: Readonly<Record<1 | 2 | 3 | 4 | 5, Thresholds>> = {
  1: {
    balancing: false,
    triggerImbalance: Number.POSITIVE_INFINITY,
    goalImbalance: Number.POSITIVE_INFINITY,
    minGain: Number.POSITIVE_INFINITY,
    costPerGiB: 0,
  },
  2: { balancing: true, triggerImbalance: 0.2, goalImbalance: 0.15, minGain: 40, costPerGiB: 2 },
  3: { balancing: true, triggerImbalance: 0.12, goalImbalance: 0.09, minGain: 10, costPerGiB: 0.5 },
  4: { balancing: true, triggerImbalance: 0.08, goalImbalance: 0.06, minGain: 3, costPerGiB: 0.25 },
  5: { balancing: true, triggerImbalance: 0.04, goalImbalance: 0.03, minGain: 1, costPerGiB: 0.1 },
};

/** The policy's thresholds: its level's row, with any expert overrides from spec.tuning. */
export function thresholdsFor(spec: BalancePolicySpec): Thresholds {
  const level = AGGRESSIVENESS[spec.aggressiveness as 1 | 2 | 3 | 4 | 5];
  const trigger = spec.tuning.targetImbalance ?? level.triggerImbalance;
  const goalRatio = level.goalImbalance / level.triggerImbalance;
  return {
    balancing: level.balancing,
    triggerImbalance: trigger,
    goalImbalance:
      spec.tuning.targetImbalance === undefined
        ? level.goalImbalance
        : trigger * (Number.isFinite(goalRatio) ? goalRatio : 1),
    minGain: spec.tuning.minGain ?? level.minGain,
    costPerGiB: spec.tuning.costPerGiB ?? level.costPerGiB,
  };
}
