/**
 * What a trace replay is judged by (issue 7), as pure functions of what happened: node CPU
 * utilization at each sample and the migrations made. The same functions judge every strategy, so
 * the report compares like with like.
 *
 * - Overload time: the share of active node-time above 80% and above 90% CPU.
 * - Imbalance: the population standard deviation of CPU utilization across active nodes (the
 *   planner's imbalance with CPU alone), averaged over time.
 * - Migrations: total, per VM per day (max and p99), bytes moved, failed or aborted.
 * - Ping-pongs: a VM moving back to a node it left less than an hour before.
 * - Beloglazov & Buyya (2012): SLATAH = (1/N) Σ T_s,i / T_a,i over hosts (time at 100% CPU over
 *   active time); PDM = (1/M) Σ C_d,j / C_r,j over VMs (10% of the VM's CPU during its migrations
 *   over all the CPU it requested); SLAV = SLATAH × PDM. And active host-hours.
 *
 * Each sample stands for the interval until the next one (the last for `stepMs`), as PlanetLab's
 * 5-minute samples do.
 */
import { std } from "mathjs";
import { nearestRankOfSorted } from "../core/numeric/nearest-rank.ts";

export interface NodeSample {
  /** CPU in use over capacity; may exceed 1 when demand does. */
  readonly utilization: number;
  /** Powered on and counted (a node switched off by a density mode is not). */
  readonly active: boolean;
}

export interface ReplaySample {
  /** Milliseconds since the epoch. */
  readonly at: number;
  /** One entry per node, in the same order at every sample. */
  readonly nodes: readonly NodeSample[];
}

export interface MigrationRecord {
  readonly vm: string;
  readonly from: string;
  readonly to: string;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly bytes: number;
  /** The VM's CPU (cores) while it migrated, for PDM's degradation. */
  readonly vmCpu: number;
  readonly outcome: "succeeded" | "failed" | "aborted";
}

export interface ReplayInput {
  readonly samples: readonly ReplaySample[];
  /** How long the last sample stands for. */
  readonly stepMs: number;
  readonly migrations: readonly MigrationRecord[];
  /** Every VM of the replay with the CPU-seconds it requested over it (PDM's C_r), VMs that never moved included. */
  readonly requestedCpuSeconds: ReadonlyMap<string, number>;
}

export interface ReplayMetrics {
  readonly overload: { readonly above80: number; readonly above90: number };
  readonly meanImbalance: number;
  readonly migrations: {
    readonly total: number;
    readonly perVmPerDay: { readonly max: number; readonly p99: number };
    readonly bytes: number;
    readonly failedOrAborted: number;
  };
  readonly pingPongs: number;
  readonly slatah: number;
  readonly pdm: number;
  readonly slav: number;
  readonly activeHostHours: number;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Beloglazov & Buyya's estimate of a VM's performance lost while it migrates. */
const MIGRATION_DEGRADATION = 0.1;
/** A host counts as saturated at 100% CPU (CloudSim's test is utilization ≥ 1, allowing rounding). */
const SATURATED = 1 - 1e-9;

/** How long each sample stands for. */
function durations(samples: readonly ReplaySample[], stepMs: number): number[] {
  return samples.map((sample, i) => (samples[i + 1]?.at ?? sample.at + stepMs) - sample.at);
}

function populationStdDev(values: readonly number[]): number {
  return values.length === 0 ? 0 : Number(std([...values], "uncorrected"));
}

interface NodeTime {
  active: number;
  /** Utilization × time, summed over the node's active samples. */
  busy: number;
  above80: number;
  above90: number;
  saturated: number;
}

function nodeTimes(samples: readonly ReplaySample[], spans: readonly number[]): NodeTime[] {
  const times: NodeTime[] = [];
  spans.forEach((span, i) => {
    samples[i]?.nodes.forEach((node, n) => {
      const time = (times[n] ??= { active: 0, busy: 0, above80: 0, above90: 0, saturated: 0 });
      if (!node.active) return;
      time.active += span;
      time.busy += node.utilization * span;
      if (node.utilization > 0.8) time.above80 += span;
      if (node.utilization > 0.9) time.above90 += span;
      if (node.utilization >= SATURATED) time.saturated += span;
    });
  });
  return times;
}

function timeAveragedImbalance(samples: readonly ReplaySample[], spans: readonly number[]): number {
  const total = spans.reduce((sum, span) => sum + span, 0);
  if (total === 0) return 0;
  const weighted = samples.reduce((sum, sample, i) => {
    const active = sample.nodes.filter((node) => node.active).map((node) => node.utilization);
    return sum + populationStdDev(active) * (spans[i] ?? 0);
  }, 0);
  return weighted / total;
}

interface MigrationSpread {
  readonly max: number;
  readonly p99: number;
}

/** The counts in ascending order behind `zeros` zeros: a typed array is zero-filled already. */
function afterZeros(sorted: readonly number[], zeros: number): Float64Array {
  const all = new Float64Array(zeros + sorted.length);
  all.set(sorted, zeros);
  return all;
}

interface VmDay {
  readonly vm: string;
  readonly day: number;
  count: number;
}

/** The (VM, day) pairs that had migrations, with how many; days counted from `start`. */
function migratedVmDays(migrations: readonly MigrationRecord[], start: number): VmDay[] {
  const pairs = new Map<string, VmDay>();
  for (const { vm, startedAt } of migrations) {
    const day = Math.floor((startedAt - start) / DAY_MS);
    const key = `${vm}#${day}`;
    const pair = pairs.get(key) ?? { vm, day, count: 0 };
    pair.count += 1;
    pairs.set(key, pair);
  }
  return [...pairs.values()];
}

/**
 * Migrations of each VM on each day of the replay (days counted from the first sample): the max and
 * nearest-rank p99 over every (VM, day) pair, zeros included. Only pairs that had migrations are
 * counted; the others, VMs × days less the counted pairs among them, are the zeros.
 */
function perVmPerDay(input: ReplayInput): MigrationSpread {
  const start = input.samples[0]?.at ?? 0;
  const end = (input.samples.at(-1)?.at ?? start) + input.stepMs;
  const days = Math.max(1, Math.ceil((end - start) / DAY_MS));
  const pairs = migratedVmDays(input.migrations, start);
  const inGrid = pairs.filter(({ vm, day }) => input.requestedCpuSeconds.has(vm) && day >= 0 && day < days).length;
  const zeros = input.requestedCpuSeconds.size * days - inGrid;
  if (zeros + pairs.length === 0) return { max: 0, p99: 0 };
  const moved = pairs.map((pair) => pair.count).sort((a, b) => a - b);
  return { max: moved.at(-1) ?? 0, p99: nearestRankOfSorted(afterZeros(moved, zeros), 0.99) };
}

/** Moves that bring a VM back to a node it left less than an hour before; only migrations that succeeded count. */
export function countPingPongs(migrations: readonly MigrationRecord[], windowMs = HOUR_MS): number {
  const left = new Map<string, Map<string, number>>();
  let pingPongs = 0;
  const done = migrations.filter((migration) => migration.outcome === "succeeded");
  for (const migration of [...done].sort((a, b) => a.endedAt - b.endedAt)) {
    const departures = left.get(migration.vm) ?? new Map<string, number>();
    const leftAt = departures.get(migration.to);
    if (leftAt !== undefined && migration.endedAt - leftAt < windowMs) pingPongs += 1;
    departures.set(migration.from, migration.endedAt);
    left.set(migration.vm, departures);
  }
  return pingPongs;
}

/** PDM: per VM, 10% of its CPU over its migrations' time, over the CPU it requested; averaged over every VM. */
function performanceDegradation(input: ReplayInput): number {
  const degraded = new Map<string, number>();
  for (const migration of input.migrations) {
    const seconds = Math.max(0, migration.endedAt - migration.startedAt) / 1000;
    degraded.set(migration.vm, (degraded.get(migration.vm) ?? 0) + MIGRATION_DEGRADATION * migration.vmCpu * seconds);
  }
  const ratios = [...input.requestedCpuSeconds].map(([vm, requested]) =>
    requested > 0 ? (degraded.get(vm) ?? 0) / requested : 0,
  );
  return ratios.length === 0 ? 0 : ratios.reduce((sum, ratio) => sum + ratio, 0) / ratios.length;
}

/** Active nodes' CPU utilization averaged over their active time. */
export function meanUtilization(input: ReplayInput): number {
  const times = nodeTimes(input.samples, durations(input.samples, input.stepMs));
  const active = times.reduce((sum, time) => sum + time.active, 0);
  return active === 0 ? 0 : times.reduce((sum, time) => sum + time.busy, 0) / active;
}

export function replayMetrics(input: ReplayInput): ReplayMetrics {
  const spans = durations(input.samples, input.stepMs);
  const times = nodeTimes(input.samples, spans);
  const activeTime = times.reduce((sum, time) => sum + time.active, 0);
  const share = (pick: (time: NodeTime) => number): number =>
    activeTime === 0 ? 0 : times.reduce((sum, time) => sum + pick(time), 0) / activeTime;
  const hosts = times.filter((time) => time.active > 0);
  const slatah =
    hosts.length === 0 ? 0 : hosts.reduce((sum, time) => sum + time.saturated / time.active, 0) / hosts.length;
  const pdm = performanceDegradation(input);
  return {
    overload: { above80: share((time) => time.above80), above90: share((time) => time.above90) },
    meanImbalance: timeAveragedImbalance(input.samples, spans),
    migrations: {
      total: input.migrations.length,
      perVmPerDay: perVmPerDay(input),
      bytes: input.migrations.reduce((sum, migration) => sum + migration.bytes, 0),
      failedOrAborted: input.migrations.filter((migration) => migration.outcome !== "succeeded").length,
    },
    pingPongs: countPingPongs(input.migrations),
    slatah,
    pdm,
    slav: slatah * pdm,
    activeHostHours: activeTime / HOUR_MS,
  };
}
