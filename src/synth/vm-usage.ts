/**
 * What one VM uses over the usage window. CPU appetite is heavy-tailed (most guests idle, a few
 * run flat out); resident memory is 50–95% of the guest; most guests dirty a few MiB/s, a few
 * hundred. Summaries keep mean ≤ p95 ≤ max and never exceed what the VM can physically use.
 */
import type { SnapshotVm, UsageSummary } from "../core/model/snapshot.ts";
import type { Rng } from "../core/numeric/rng.ts";
import { chance, clamp, logNormal, logUniform, roundTo, uniform } from "./distributions.ts";
import { MiB } from "./units.ts";

/** A VM's mean stays below this share of its vCPUs, leaving room for its peaks. */
export const MAX_MEAN_CPU_SHARE = 0.9;
const MIN_MEAN_CPU = 5;
const BUSY_APPETITE = 0.4;

/** The share of its vCPUs a VM would use if its node had no say: median 12%, a long tail. */
export function cpuAppetite(rng: Rng): number {
  return clamp(logNormal(rng, 0.12, 1), 0.005, MAX_MEAN_CPU_SHARE);
}

export interface VmLoad {
  /** Mean CPU in millicores, already fitted to the node's target. */
  readonly meanCpu: number;
  readonly appetite: number;
  readonly onHotNode: boolean;
}

export function vmUsage(rng: Rng, vm: SnapshotVm, load: VmLoad): NonNullable<SnapshotVm["usage"]> {
  const vcpus = vm.cpu.vcpus ?? 1;
  return {
    cpu: cpuSummary(rng, Math.max(MIN_MEAN_CPU, Math.round(load.meanCpu)), vcpus * 1000),
    memory: memorySummary(rng, vm.guestMemory ?? vm.requests.memory ?? 0),
    dirtyRate: dirtyRateSummary(rng, load.appetite >= BUSY_APPETITE),
    // Contention shows as vCPU delay: noticeable on packed hot nodes, negligible elsewhere.
    vcpuDelay: roundTo(load.onHotNode ? uniform(rng, 0.03, 0.12) : uniform(rng, 0.001, 0.02), 4),
  };
}

/** Peaks above the mean, capped at `ceiling`, rounded to whole units and kept in order. */
function withPeaks(rng: Rng, mean: number, ceiling: number, spread: { p95: number; max: number }): UsageSummary {
  const p95 = Math.max(mean, Math.min(ceiling, Math.round(mean * uniform(rng, 1, spread.p95))));
  const max = Math.max(p95, Math.min(ceiling, Math.round(p95 * uniform(rng, 1, spread.max))));
  return { mean, p95, max };
}

function cpuSummary(rng: Rng, mean: number, ceiling: number): UsageSummary {
  return withPeaks(rng, mean, ceiling, { p95: 1.9, max: 1.5 });
}

function memorySummary(rng: Rng, guest: number): UsageSummary {
  const mean = Math.round(guest * uniform(rng, 0.5, 0.95));
  return withPeaks(rng, mean, guest, { p95: 1.04, max: 1.03 });
}

/** Most guests dirty 1–50 MiB/s; a few, busy ones more often, 200–800 MiB/s. */
function dirtyRateSummary(rng: Rng, busy: boolean): UsageSummary {
  const heavy = chance(rng, busy ? 0.15 : 0.03);
  const mean = Math.round((heavy ? uniform(rng, 200, 800) : logUniform(rng, 1, 50)) * MiB);
  return withPeaks(rng, mean, Number.POSITIVE_INFINITY, { p95: 2, max: 1.6 });
}
