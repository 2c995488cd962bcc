/** What the evacuation planner returns: where every VM goes, what cannot go and why, and when it will be done. */
import type { PlannedMove } from "../balance/plan-types.ts";
import type { Rejection } from "../placement/framework.ts";

export type UnmigratableAction = "Block" | "ShutdownAndRestartElsewhere" | "Leave";

/** A VM that cannot live-migrate off the node, every reason, and what the MaintenancePolicy says to do. */
export interface EvacuationBlocker {
  readonly vm: string;
  readonly node: string;
  readonly reasons: readonly Rejection[];
  readonly action: UnmigratableAction;
  /** "MaintenancePolicy default: rule 2" or "MaintenancePolicy default: defaultAction". */
  readonly decidedBy: string;
}

/** When each move starts and ends if the executor starts them in plan order as slots free. */
export interface TimedMove {
  readonly vm: string;
  readonly startSeconds: number;
  readonly endSeconds: number;
}

export interface EvacuationEstimate {
  /** The schedule's makespan: seconds from the first start to the last end. */
  readonly etaSeconds: number;
  /** No schedule under these limits can be faster (longest move; total time over the usable slots; per target). */
  readonly lowerBoundSeconds: number;
  readonly limits: { readonly parallel: number; readonly outboundPerNode: number; readonly inboundPerNode: number };
  /** Seconds each migration holds its slot before it copies (the target pod starting); in the ETA, not the bound. */
  readonly setupSeconds: number;
  readonly bytes: number;
  readonly timeline: readonly TimedMove[];
}

export interface EvacuationPlan {
  readonly apiVersion: "kubedrs.io/v1alpha1";
  readonly kind: "EvacuationPlan";
  readonly metadata: { readonly name: string; readonly createdAt: string; readonly snapshot: string };
  /** The nodes being evacuated. */
  readonly nodes: readonly string[];
  readonly maintenancePolicy: string;
  /** In start order: biggest (slowest) first, targets interleaved. */
  readonly moves: readonly PlannedMove[];
  /** VMs already migrating off (a move of an earlier pass, or KubeVirt's own evacuation). */
  readonly inFlight: readonly string[];
  readonly blockers: readonly EvacuationBlocker[];
  readonly estimate: EvacuationEstimate;
  /** Imbalance of the nodes that stay, before and after the moves (weighted over their balance domains). */
  readonly imbalanceBefore: number;
  readonly imbalanceAfter: number;
  /** True when nothing will be left on the nodes that blocks maintenance (no Block blocker). */
  readonly readyAfterMoves: boolean;
}
