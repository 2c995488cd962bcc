/**
 * Summaries of load series (a trace, a curve sampled over a day, per-sample timings): mean,
 * spread and quantiles, via mathjs. Kept out of the twin's start-up path on purpose: mathjs takes
 * about a second to import, so only the tools and tests that summarise load pay for it.
 */
import { mean, quantileSeq, std } from "mathjs";
import type { Curve } from "./trace.ts";

export interface SeriesSummary {
  readonly count: number;
  readonly mean: number;
  /** Population standard deviation (CloudSim's workload tables use it). */
  readonly std: number;
  readonly min: number;
  readonly p50: number;
  readonly p95: number;
  readonly max: number;
}

export function summarizeSeries(values: ArrayLike<number>): SeriesSummary {
  if (values.length === 0) throw new Error("cannot summarise an empty series");
  // A typed-array sort is far faster than mathjs's generic one; quantileSeq is told the data is sorted.
  const sorted = Array.from(Float64Array.from(values).sort());
  const [p50, p95] = quantileSeq(sorted, [0.5, 0.95], true) as number[];
  return {
    count: sorted.length,
    mean: mean(sorted),
    std: Number(std(sorted, "uncorrected")),
    min: sorted[0] ?? Number.NaN,
    p50: p50 ?? Number.NaN,
    p95: p95 ?? Number.NaN,
    max: sorted.at(-1) ?? Number.NaN,
  };
}

/** A curve sampled every `stepSeconds` over [fromSeconds, toSeconds). */
export function summarizeCurve(
  curve: Curve,
  window: { readonly fromSeconds: number; readonly toSeconds: number; readonly stepSeconds: number },
): SeriesSummary {
  const values: number[] = [];
  for (let seconds = window.fromSeconds; seconds < window.toSeconds; seconds += window.stepSeconds)
    values.push(curve(seconds));
  return summarizeSeries(values);
}
