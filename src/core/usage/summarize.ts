/**
 * Turns one signal's recent samples into the {mean, p95, max} summary a ClusterSnapshot carries.
 * `mean` is the smoothed level the balancer compares; p95 and max are taken over the raw samples, so
 * smoothing never hides a peak from the headroom checks. Times are milliseconds since the epoch (as
 * the controller's clock gives them); the window and half-life are seconds, as BalancePolicy states them.
 */
import { nearestRankOfSorted } from "../numeric/nearest-rank.ts";
import type { UsageSummary } from "../model/snapshot.ts";

export type SmoothingMethod = "EWMA" | "Mean";

export interface SummarySettings {
  /** Milliseconds since the epoch; points in (now - window, now] count. */
  readonly now: number;
  readonly windowSeconds: number;
  readonly method: SmoothingMethod;
  /** EWMA only: a sample this old weighs half as much as one taken now. */
  readonly halfLifeSeconds: number;
}

export interface UsagePoint {
  /** Milliseconds since the epoch. */
  readonly at: number;
  readonly value: number;
}

/** A series as parallel columns, oldest first, so a history kept in typed arrays needs no object per point. */
export interface UsageColumns {
  readonly times: ArrayLike<number>;
  readonly values: ArrayLike<number>;
  /** How many leading entries of `times`/`values` are the series (the rest is scratch space). */
  readonly length: number;
}

const P95 = 0.95;

/** Summarizes points given as objects; see `summarizeColumns`. */
export function summarize(points: readonly UsagePoint[], settings: SummarySettings): UsageSummary | undefined {
  const times = new Float64Array(points.length);
  const values = new Float64Array(points.length);
  points.forEach((point, index) => {
    times[index] = point.at;
    values[index] = point.value;
  });
  return summarizeColumns({ times, values, length: points.length }, settings);
}

/**
 * The summary of the points inside (now - window, now], or undefined when there are none. Points need
 * not be sorted; a point whose time or value is not a finite number is ignored, since one bad scrape
 * should cost one point, not the summary.
 */
export function summarizeColumns(series: UsageColumns, settings: SummarySettings): UsageSummary | undefined {
  const inWindow = pointsInWindow(series, settings);
  if (inWindow.values.length === 0) return undefined;
  const smoothed =
    settings.method === "Mean" ? arithmeticMean(inWindow.values) : ewma(inWindow, settings.halfLifeSeconds * 1000);
  const sorted = inWindow.values.slice().sort();
  const min = sorted[0] ?? smoothed;
  const max = sorted[sorted.length - 1] ?? smoothed;
  // A weighted mean lies between the extremes; clamping only undoes rounding, so a constant stays exact.
  const mean = Math.min(max, Math.max(min, smoothed));
  return { mean, p95: nearestRankOfSorted(sorted, P95), max };
}

interface WindowPoints {
  readonly times: Float64Array;
  readonly values: Float64Array;
}

function pointsInWindow(series: UsageColumns, settings: SummarySettings): WindowPoints {
  const start = settings.now - settings.windowSeconds * 1000;
  const keep: number[] = [];
  for (let index = 0; index < series.length; index++) {
    const at = series.times[index];
    const value = series.values[index];
    if (at === undefined || value === undefined || !Number.isFinite(at) || !Number.isFinite(value)) continue;
    if (at > start && at <= settings.now) keep.push(index);
  }
  const times = new Float64Array(keep.length);
  const values = new Float64Array(keep.length);
  keep.forEach((source, index) => {
    times[index] = series.times[source] ?? 0;
    values[index] = series.values[source] ?? 0;
  });
  return { times, values };
}

function arithmeticMean(values: Float64Array): number {
  let sum = 0;
  for (const value of values) sum += value;
  return sum / values.length;
}

/**
 * Exponentially time-weighted mean: each sample weighs 2^-(age / halfLife). Weighting by age rather
 * than by position is what makes irregular spacing harmless: a missed poll leaves a gap that simply
 * carries no weight, and a late sample counts for its real age. Ages are taken from the newest point
 * (the same ratios as from `now`), so the newest weight is 1 and a tiny half-life cannot underflow
 * every weight to zero. A half-life of zero (or less) is the limit: the newest value.
 */
function ewma(points: WindowPoints, halfLifeMs: number): number {
  const newestAt = points.times.reduce((newest, at) => Math.max(newest, at), -Infinity);
  if (!(halfLifeMs > 0)) return latestMean(points, newestAt);
  let weighted = 0;
  let weights = 0;
  points.times.forEach((at, index) => {
    const weight = 2 ** (-(newestAt - at) / halfLifeMs);
    weighted += weight * (points.values[index] ?? 0);
    weights += weight;
  });
  return weighted / weights;
}

/** The mean of the values taken at the newest time (several points may share it). */
function latestMean(points: WindowPoints, newestAt: number): number {
  let sum = 0;
  let count = 0;
  points.times.forEach((at, index) => {
    if (at !== newestAt) return;
    sum += points.values[index] ?? 0;
    count += 1;
  });
  return sum / count;
}
