/**
 * The trace replay's report as data (issue 7): what `npm run bench -- replay` writes as JSON and what
 * the HTML page and docs/EVALUATION.md are rendered from. Plain JSON-safe values only.
 */
import type { ReplayMetrics } from "./replay-metrics.ts";

export interface DecisionTime {
  /** Decisions made (calls to the strategy). */
  readonly decisions: number;
  readonly meanMs: number;
  readonly p95Ms: number;
  readonly maxMs: number;
}

export interface StrategyDayResult {
  readonly strategy: string;
  /** The trace day, e.g. "20110303". */
  readonly day: string;
  readonly metrics: ReplayMetrics;
  readonly decisionTime: DecisionTime;
  /** Imbalance (population std of node CPU utilization) at each trace step of the day. */
  readonly imbalance: readonly number[];
  /** Share of active nodes above 90% CPU at each trace step. */
  readonly overloadedShare: readonly number[];
  /** `vmsByMigrations[k]`: how many VMs migrated exactly k times that day. */
  readonly vmsByMigrations: readonly number[];
}

/**
 * Node CPU utilization over one day for one strategy, reduced for drawing: rows are groups of nodes
 * (in the same node order for every strategy), columns groups of steps; each cell is the highest
 * utilization in its group, so a hot spot never averages away.
 */
export interface HeatMap {
  readonly strategy: string;
  readonly day: string;
  readonly nodesPerRow: number;
  readonly stepsPerColumn: number;
  /** rows × columns, utilization (1 = 100% CPU; may exceed 1). */
  readonly cells: readonly (readonly number[])[];
}

export interface ReplayReport {
  readonly title: string;
  readonly generatedAt: string;
  readonly machine: { readonly node: string; readonly cpus: number };
  readonly scenario: {
    readonly name: string;
    readonly description: string;
    readonly hosts: number;
    readonly hostTypes: readonly string[];
    readonly vmTypes: readonly string[];
    readonly stepMinutes: number;
  };
  readonly days: readonly string[];
  /** In the order they are shown; "none" first, "kubedrs" last. */
  readonly strategies: readonly string[];
  readonly results: readonly StrategyDayResult[];
  /** kubedrs and the baseline with the lowest overload time above 90%, on the first day. */
  readonly heatMaps: readonly HeatMap[];
  /** What each strategy's model leaves out or approximates, by strategy name ("replay" for the harness). */
  readonly simplifications: Readonly<Record<string, readonly string[]>>;
  /** The numbers, each with whether this run met it. */
  readonly goals: readonly { readonly goal: string; readonly met: boolean; readonly detail: string }[];
  /** The in-process replay checked against a run of the real controller on the twin, if one was made. */
  readonly twinCheck?: {
    readonly day: string;
    readonly hours: number;
    readonly rows: readonly { readonly metric: string; readonly replay: number; readonly twin: number }[];
  };
}
