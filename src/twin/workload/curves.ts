/**
 * Load curves: pure functions from virtual time (seconds since the epoch) to a level. Stochastic
 * curves draw from positional noise (noise.ts), so their value at t depends only on the VM's seed
 * and t, never on who asked before. Time is absolute, so a diurnal curve peaks at the same hour
 * of every simulated day, whenever the scenario starts.
 */
import { centredAt, uniformAt } from "./noise.ts";
import type { CurveObject, CurveSpec } from "./spec.ts";
import { type Curve, type TraceLibrary, traceCurve } from "./trace.ts";

export type { Curve } from "./trace.ts";

export interface CurveContext {
  /** The VM's noise seed. */
  readonly seed: number;
  /** Keeps the CPU, memory and dirty-rate curves of one VM independent. */
  readonly stream: number;
  readonly traces: TraceLibrary;
}

type Spec<K extends CurveObject["type"]> = Extract<CurveObject, { type: K }>;

/** A burst may run this many mean durations at most, so a query looks back a bounded number of epochs. */
const LONGEST_BURST_IN_MEANS = 10;
const MAX_LOOKBACK_EPOCHS = 16;
/** The walk sums this many past steps at most (its memory fades as (1 - reversion)^steps). */
const MAX_WALK_TERMS = 64;
const WALK_CUTOFF = 0.01;

export function buildCurve(spec: CurveSpec, context: CurveContext): Curve {
  if (typeof spec === "number") return () => spec;
  switch (spec.type) {
    case "constant":
      return () => spec.value;
    case "diurnal":
      return diurnalCurve(spec);
    case "bursty":
      return burstyCurve(spec, context);
    case "randomWalk":
      return randomWalkCurve(spec, context);
    case "trace":
      return traceCurve(context.traces.samples(spec.file), spec);
  }
}

/** mean + amplitude · cos(2π (t − phase) / period): the peak falls `phase` seconds into each period. */
function diurnalCurve(spec: Spec<"diurnal">): Curve {
  const { mean, amplitude, period, phase } = spec;
  const radiansPerSecond = (2 * Math.PI) / period;
  return (seconds) => mean + amplitude * Math.cos((seconds - phase) * radiansPerSecond);
}

/**
 * Time is cut into epochs of `meanInterval`; each epoch holds one burst, starting at a uniform
 * point in it and lasting an exponential time with mean `meanDuration` (capped). So bursts start
 * `meanInterval` apart on average, and a query checks the few epochs whose bursts could reach it.
 */
function burstyCurve(spec: Spec<"bursty">, { seed, stream }: CurveContext): Curve {
  const { base, burst, meanInterval, meanDuration } = spec;
  const longest = Math.min(meanDuration * LONGEST_BURST_IN_MEANS, meanInterval * MAX_LOOKBACK_EPOCHS);
  const lookback = Math.ceil(longest / meanInterval);
  const inBurstOf = (epoch: number, seconds: number): boolean => {
    const start = (epoch + uniformAt(seed, stream, 2 * epoch)) * meanInterval;
    const length = Math.min(longest, -meanDuration * Math.log(1 - uniformAt(seed, stream, 2 * epoch + 1)));
    return seconds >= start && seconds < start + length;
  };
  return (seconds) => {
    const epoch = Math.floor(seconds / meanInterval);
    for (let back = 0; back <= lookback; back += 1) if (inBurstOf(epoch - back, seconds)) return burst;
    return base;
  };
}

/**
 * A mean-reverting random walk (a discrete Ornstein–Uhlenbeck process): each step keeps
 * (1 − reversion) of the distance to the mean and adds noise with standard deviation
 * `volatility`. Written as the sum of the past steps' noise, weighted by how much of it survives,
 * its level at step n is computed from n alone. Between steps it is interpolated linearly, and it
 * is clamped to [min, max]. The last two levels are memoised: the same numbers, just not recomputed.
 */
function randomWalkCurve(spec: Spec<"randomWalk">, { seed, stream }: CurveContext): Curve {
  const { mean, volatility, min, max, step } = spec;
  const keep = 1 - spec.reversion;
  const terms = keep <= 0 ? 1 : Math.min(MAX_WALK_TERMS, Math.ceil(Math.log(WALK_CUTOFF) / Math.log(keep)));
  const weights = Float64Array.from({ length: terms }, (_, age) => volatility * keep ** age);
  const memo = { index: [Number.NaN, Number.NaN], level: [0, 0] };
  const levelAt = (index: number): number => {
    const slot = index & 1;
    if (memo.index[slot] === index) return memo.level[slot] ?? mean;
    let level = mean;
    for (let age = 0; age < terms; age += 1) level += (weights[age] ?? 0) * centredAt(seed, stream, index - age);
    memo.index[slot] = index;
    memo.level[slot] = level;
    return level;
  };
  return (seconds) => {
    const position = seconds / step;
    const index = Math.floor(position);
    const from = levelAt(index);
    const level = from + (levelAt(index + 1) - from) * (position - index);
    return Math.min(max, Math.max(min, level));
  };
}
