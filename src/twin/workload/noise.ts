/**
 * Random numbers addressed by position instead of drawn in sequence: the value for (seed, stream,
 * index) is a hash, so a stochastic curve's value at time t is the same whoever asked before and
 * in whatever order. Each VM gets its seed once from the twin's seeded Rng (workload → VM key);
 * after that a draw costs three integer mixes, cheap enough for 30,000 VMs every sample.
 */
import type { Rng } from "../../core/numeric/rng.ts";

const TWO_32 = 4_294_967_296;
const SQRT3 = Math.sqrt(3);

/** A 32-bit avalanche mix (Wellons' lowbias32): every input bit flips about half the output bits. */
function mix32(value: number): number {
  let x = value;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** A VM's noise seed, drawn from its own fork of the workload stream. */
export function noiseSeed(rng: Rng): number {
  return rng.int(0, 0x7fffffff);
}

/** A uniform number in [0, 1) for (seed, stream, index); index is any integer below 2^53. */
export function uniformAt(seed: number, stream: number, index: number): number {
  const low = index >>> 0;
  const high = Math.floor(index / TWO_32) >>> 0;
  let hash = mix32(seed ^ Math.imul(stream + 1, 0x9e3779b9));
  hash = mix32(hash ^ low);
  hash = mix32(hash ^ Math.imul(high + 1, 0x85ebca6b));
  return hash / TWO_32;
}

/** Zero mean, unit variance: a uniform on [-√3, √3]. Cheaper than a normal, and the walk sums many. */
export function centredAt(seed: number, stream: number, index: number): number {
  return (2 * uniformAt(seed, stream, index) - 1) * SQRT3;
}
