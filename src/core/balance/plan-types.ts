/** The plan the core returns: moves with their reasons, scheduled in waves, and the numbers behind them. */
import type { LoadResource } from "../model/load.ts";
import type { ScoreTerm } from "../placement/engine.ts";
import type { AntiThrashState } from "./anti-thrash.ts";

export type MoveKind = "balance" | "rule" | "evacuate";

/** What the cost model predicts for one live migration. */
export interface MoveCost {
  readonly bytes: number;
  readonly durationSeconds: number;
  readonly downtimeMs: number;
  readonly outcome: string;
  readonly succeeded: boolean;
  readonly summary: string;
  readonly bandwidth: number;
  readonly profile: string | undefined;
  readonly migrationPolicy: string | undefined;
  readonly autoConverge: boolean;
  readonly postCopy: boolean;
}

export interface PlannedMove {
  /** namespace/name */
  readonly vm: string;
  readonly from: string;
  readonly to: string;
  readonly kind: MoveKind;
  readonly policy: string;
  /** Human sentences, most important first. */
  readonly reasons: readonly string[];
  readonly gain: {
    readonly points: number;
    readonly byResource: Readonly<Record<LoadResource, number>>;
    readonly hotSpotPoints: number;
  };
  readonly cost: MoveCost & { readonly points: number };
  readonly imbalanceAfter: number;
  readonly score: { readonly total: number; readonly terms: readonly ScoreTerm[] };
  readonly wave: number;
  /** Indexes of earlier moves that must finish first. */
  readonly dependsOn: readonly number[];
}

export interface ResourceSummary {
  readonly mean: number;
  readonly stddev: number;
  readonly min: number;
  readonly max: number;
}

export interface DomainReport {
  readonly policy: string;
  readonly automation: "Off" | "Recommend" | "Automatic";
  readonly aggressiveness: number;
  readonly nodes: number;
  /** Null when the level balances nothing (aggressiveness 1). */
  readonly triggerImbalance: number | null;
  readonly goalImbalance: number | null;
  readonly imbalanceBefore: number;
  readonly imbalanceAfter: number;
  readonly before: Readonly<Record<LoadResource, ResourceSummary>>;
  readonly after: Readonly<Record<LoadResource, ResourceSummary>>;
  readonly hotNodesBefore: readonly string[];
  readonly hotNodesAfter: readonly string[];
  readonly moves: number;
  /** Why planning stopped, in a sentence. */
  readonly outcome: string;
}

export interface BlockedSummary {
  readonly plugin: string;
  readonly count: number;
  readonly examples: readonly { readonly vm: string; readonly reason: string }[];
}

export interface Plan {
  readonly apiVersion: "kubedrs.io/v1alpha1";
  readonly kind: "Plan";
  readonly metadata: { readonly name: string; readonly createdAt: string; readonly snapshot: string };
  readonly imbalanceBefore: number;
  readonly imbalanceAfter: number;
  readonly moves: readonly PlannedMove[];
  readonly waves: number;
  readonly estimatedDurationSeconds: number;
  readonly bytesToMove: number;
  readonly domains: readonly DomainReport[];
  /** VMs on hot or unbalanced nodes that could not move, grouped by the check that held them. */
  readonly blocked: readonly BlockedSummary[];
  readonly warnings: readonly string[];
  readonly antiThrash: AntiThrashState;
}
