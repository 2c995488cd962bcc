/**
 * The few sampling shapes the generator needs, all drawn from the injected Rng.
 * Real fleets are heavy-tailed: most VMs idle along, a few run hot, so log-scaled draws dominate.
 */
import type { Rng } from "../core/numeric/rng.ts";

export function uniform(rng: Rng, min: number, max: number): number {
  return min + (max - min) * rng.next();
}

/** Uniform in log space: as many values between 1 and 10 as between 10 and 100. */
export function logUniform(rng: Rng, min: number, max: number): number {
  return Math.exp(uniform(rng, Math.log(min), Math.log(max)));
}

/** A log-normal draw described by its median and the standard deviation of its logarithm. */
export function logNormal(rng: Rng, median: number, sigma: number): number {
  return Math.exp(rng.normal(Math.log(median), sigma));
}

export function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

export function roundTo(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** True with the given probability. */
export function chance(rng: Rng, probability: number): boolean {
  return rng.next() < probability;
}
