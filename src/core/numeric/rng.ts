/**
 * A seeded random source for the core and the twin. Nothing in kubedrs reads Math.random: the
 * same seed replays the same run. Backed by pure-rand's xoroshiro128+.
 */
import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";
import { uniformInt } from "pure-rand/distribution/uniformInt";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";

export interface Rng {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [from, to], both included. */
  int(from: number, to: number): number;
  pick<T>(items: readonly T[]): T;
  /** Weighted choice; weights need not sum to 1. */
  weighted<T>(items: readonly (readonly [T, number])[]): T;
  /** A normally distributed value (Box–Muller). */
  normal(mean: number, stddev: number): number;
  /** An independent stream derived from this seed and a label, so adding draws in one place does not shift another. */
  fork(label: string): Rng;
  shuffle<T>(items: readonly T[]): T[];
}

/**
 * The seed of a run's `pass`-th balance pass (from 1): the run's seed plus the pass's number, so
 * passes draw differently. The controller and the replay both seed passes so, and a replay breaks
 * ties as the controller does.
 */
export function passSeed(runSeed: number, pass: number): number {
  return runSeed + pass;
}

function hashLabel(seed: number, label: string): number {
  // FNV-1a over the label, mixed with the seed.
  let hash = 0x811c9dc5 ^ seed;
  for (let i = 0; i < label.length; i += 1) {
    hash ^= label.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash | 0;
}

export function createRng(seed: number): Rng {
  // Small seeds give xoroshiro128+ a poorly mixed start: hash the seed and drop the first draws.
  const generator = xoroshiro128plus(hashLabel(seed | 0, "kubedrs"));
  for (let i = 0; i < 4; i += 1) uniformFloat64(generator);
  const rng: Rng = {
    next: () => uniformFloat64(generator),
    int: (from, to) => uniformInt(generator, from, to),
    pick: (items) => {
      if (items.length === 0) throw new Error("pick from an empty list");
      return items[uniformInt(generator, 0, items.length - 1)] as (typeof items)[number];
    },
    weighted: (items) => {
      const total = items.reduce((sum, [, weight]) => sum + weight, 0);
      let point = uniformFloat64(generator) * total;
      for (const [item, weight] of items) {
        point -= weight;
        if (point < 0) return item;
      }
      const last = items.at(-1);
      if (!last) throw new Error("weighted pick from an empty list");
      return last[0];
    },
    normal: (mean, stddev) => {
      const u = 1 - uniformFloat64(generator);
      const v = uniformFloat64(generator);
      return mean + stddev * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
    fork: (label) => createRng(hashLabel(seed, label)),
    shuffle: (items) => {
      const copy = [...items];
      for (let i = copy.length - 1; i > 0; i -= 1) {
        const j = uniformInt(generator, 0, i);
        [copy[i], copy[j]] = [copy[j] as (typeof copy)[number], copy[i] as (typeof copy)[number]];
      }
      return copy;
    },
  };
  return rng;
}
