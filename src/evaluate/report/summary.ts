/**
 * The report reduced for showing: one row of figures per strategy (the mean over the days), series
 * averaged over days step by step, migration counts summed over days, and one colour per strategy
 * that every chart uses. Pure functions of the ReplayReport.
 */
import type { ReplayMetrics } from "../replay-metrics.ts";
import type { ReplayReport, StrategyDayResult } from "../report-types.ts";

export interface StrategySummary {
  readonly strategy: string;
  readonly days: number;
  readonly above80: number;
  readonly above90: number;
  readonly imbalance: number;
  /** Mean per day. */
  readonly migrations: number;
  /** Over all days. */
  readonly migrationsTotal: number;
  /** The most migrations of one VM on any one day: the highest over the days, not a mean. */
  readonly perVmMax: number;
  readonly perVmP99: number;
  readonly bytes: number;
  readonly failedOrAborted: number;
  readonly pingPongs: number;
  /** Weighted by the decisions made each day. */
  readonly decisionMeanMs: number;
  readonly decisionP95Ms: number;
  readonly slatah: number;
  readonly pdm: number;
  readonly slav: number;
  readonly activeHostHours: number;
}

/** The strategy the report is about: highlighted wherever strategies are compared. */
export const KUBEDRS = "kubedrs";

/**
 * The strategies to show, in the report's order, leaving out any without results; a strategy with
 * results that the report forgot to list comes last, by name.
 */
export function shownStrategies(report: ReplayReport): string[] {
  const withResults = new Set(report.results.map((result) => result.strategy));
  const listed = report.strategies.filter((strategy) => withResults.has(strategy));
  const unlisted = [...withResults].filter((strategy) => !report.strategies.includes(strategy)).sort();
  return [...listed, ...unlisted];
}

export function resultsOf(report: ReplayReport, strategy: string): StrategyDayResult[] {
  return report.results.filter((result) => result.strategy === strategy);
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((sum, value) => sum + value, 0) / values.length;
}

function meanOf(results: readonly StrategyDayResult[], pick: (metrics: ReplayMetrics) => number): number {
  return mean(results.map((result) => pick(result.metrics)));
}

function decisionsOf(results: readonly StrategyDayResult[]): number {
  return results.reduce((sum, result) => sum + result.decisionTime.decisions, 0);
}

/** The mean over every decision of every day; NaN (shown as a dash) for a strategy that never decides. */
function weightedDecisionMean(results: readonly StrategyDayResult[]): number {
  const decisions = decisionsOf(results);
  if (decisions === 0) return Number.NaN;
  const total = results.reduce((sum, result) => sum + result.decisionTime.meanMs * result.decisionTime.decisions, 0);
  return total / decisions;
}

function decidingDays(results: readonly StrategyDayResult[]): StrategyDayResult[] {
  return results.filter((result) => result.decisionTime.decisions > 0);
}

export function summarizeStrategy(strategy: string, results: readonly StrategyDayResult[]): StrategySummary {
  return {
    strategy,
    days: results.length,
    above80: meanOf(results, (m) => m.overload.above80),
    above90: meanOf(results, (m) => m.overload.above90),
    imbalance: meanOf(results, (m) => m.meanImbalance),
    migrations: meanOf(results, (m) => m.migrations.total),
    migrationsTotal: results.reduce((sum, result) => sum + result.metrics.migrations.total, 0),
    perVmMax: results.length === 0 ? Number.NaN : Math.max(...results.map((r) => r.metrics.migrations.perVmPerDay.max)),
    perVmP99: meanOf(results, (m) => m.migrations.perVmPerDay.p99),
    bytes: meanOf(results, (m) => m.migrations.bytes),
    failedOrAborted: meanOf(results, (m) => m.migrations.failedOrAborted),
    pingPongs: meanOf(results, (m) => m.pingPongs),
    decisionMeanMs: weightedDecisionMean(results),
    decisionP95Ms:
      decisionsOf(results) === 0 ? Number.NaN : mean(decidingDays(results).map((r) => r.decisionTime.p95Ms)),
    slatah: meanOf(results, (m) => m.slatah),
    pdm: meanOf(results, (m) => m.pdm),
    slav: meanOf(results, (m) => m.slav),
    activeHostHours: meanOf(results, (m) => m.activeHostHours),
  };
}

export function summarize(report: ReplayReport): StrategySummary[] {
  return shownStrategies(report).map((strategy) => summarizeStrategy(strategy, resultsOf(report, strategy)));
}

/** Index by index, the mean of the rows that reach that index (days may differ in length). */
export function meanSeries(rows: readonly (readonly number[])[]): number[] {
  const length = Math.max(0, ...rows.map((row) => row.length));
  return Array.from({ length }, (_, i) => mean(rows.flatMap((row) => (i < row.length ? [row[i] ?? 0] : []))));
}

/** Index by index, the sum over the rows; a row too short adds nothing there. */
export function sumSeries(rows: readonly (readonly number[])[]): number[] {
  const length = Math.max(0, ...rows.map((row) => row.length));
  return Array.from({ length }, (_, i) => rows.reduce((sum, row) => sum + (row[i] ?? 0), 0));
}

export interface CountBin {
  readonly label: string;
  readonly from: number;
  /** Inclusive. */
  readonly to: number;
}

/**
 * Bins for "migrations of one VM in one day": 0, 1, 2 and 3 alone, then doubling ranges (4–7,
 * 8–15, …) up to the highest count seen, so a long tail stays a handful of bars.
 */
export function migrationBins(maxCount: number): CountBin[] {
  const singles = [0, 1, 2, 3]
    .filter((k) => k === 0 || k <= maxCount)
    .map((k) => ({ label: String(k), from: k, to: k }));
  const ranges: CountBin[] = [];
  for (let from = 4; from <= maxCount; from *= 2) {
    ranges.push({ label: `${from}–${2 * from - 1}`, from, to: 2 * from - 1 });
  }
  return [...singles, ...ranges];
}

/** counts[k] is how many VM-days had k migrations; the total in each bin. */
export function binCounts(counts: readonly number[], bins: readonly CountBin[]): number[] {
  return bins.map((bin) => counts.slice(bin.from, bin.to + 1).reduce((sum, count) => sum + count, 0));
}

/** Okabe & Ito's colour-blind-safe palette, less the vermilion kept for kubedrs and the grey for "none". */
const BASELINE_COLOURS = ["#0072B2", "#009E73", "#CC79A7", "#56B4E9", "#E69F00", "#332288", "#117733"] as const;
export const KUBEDRS_COLOUR = "#D55E00";
const NONE_COLOUR = "#9AA0A6";

/** One colour per strategy, the same in every chart: vermilion for kubedrs, grey for "none". */
export function strategyColours(strategies: readonly string[]): ReadonlyMap<string, string> {
  const colours = new Map<string, string>();
  let next = 0;
  for (const strategy of strategies) {
    if (strategy === KUBEDRS) colours.set(strategy, KUBEDRS_COLOUR);
    else if (strategy === "none") colours.set(strategy, NONE_COLOUR);
    else colours.set(strategy, BASELINE_COLOURS[next++ % BASELINE_COLOURS.length] ?? NONE_COLOUR);
  }
  return colours;
}

/** The entry with the lowest value of `pick`, ties to the earlier; undefined when none is finite. */
export function lowest<T>(items: readonly T[], pick: (item: T) => number): T | undefined {
  let best: T | undefined;
  for (const item of items) {
    if (Number.isFinite(pick(item)) && (best === undefined || pick(item) < pick(best))) best = item;
  }
  return best;
}
