/**
 * The controller's memory of recent usage: every sampling round's values per node and per VM, kept
 * long enough to summarize the longest window a policy asks for, then summarized by the core.
 *
 * Layout, for 30,000 VMs: one shared ring of round timestamps, and per object one Float32Array
 * holding every signal's ring (signal-major, NaN where a round has no value). No object per point.
 * Values are kept in single precision: seven significant digits (a 64 GiB reading to within 4 KiB)
 * are far finer than any threshold a policy sets, and halve the rings. Timestamps stay doubles.
 * Per VM that is 4 signals × 4 bytes × ring capacity; at the default 600 s window polled every 30 s
 * (21 rounds, a ring of 27) 432 bytes, plus about 250 bytes for the typed array, its buffer, the Map
 * entry and its key: ~0.7 KB per VM, ~20 MB for 30,000. `maxRounds` bounds the ring whatever the
 * poll rate (64 rounds: ~1.3 KB per VM); past it the oldest rounds go first, shortening the window.
 */
import { summarizeColumns, type SmoothingMethod } from "../../core/usage/summarize.ts";
import type { NodeUsageSummaries, UsageSummaries, VmUsageSummaries } from "../../core/usage/summaries.ts";
import type { UsageSummary } from "../../core/model/snapshot.ts";
import type { NodeSample, UsageSample, VmSample } from "./types.ts";

export interface HistorySettings {
  readonly windowSeconds: number;
  readonly method: SmoothingMethod;
  readonly halfLifeSeconds: number;
}

/** BalancePolicy.spec.metrics as the history's settings. */
export function historySettingsOf(metrics: {
  readonly window: number;
  readonly smoothing: { readonly method: SmoothingMethod; readonly halfLife: number };
}): HistorySettings {
  return {
    windowSeconds: metrics.window,
    method: metrics.smoothing.method,
    halfLifeSeconds: metrics.smoothing.halfLife,
  };
}

export interface UsageHistoryOptions {
  /** How long to keep rounds before any window is asked for; default 600 s, BalancePolicy's default window. */
  readonly retainSeconds?: number;
  /** The most rounds kept, whatever the window; default 64. */
  readonly maxRounds?: number;
}

const DEFAULT_RETAIN_SECONDS = 600;
const DEFAULT_MAX_ROUNDS = 64;
const INITIAL_CAPACITY = 8;

/** Sample fields in ring order, each with the summary field it becomes. */
const NODE_SIGNALS = [
  ["cpuMillicores", "cpu"],
  ["memoryBytes", "memory"],
  ["cpuPressure", "cpuPressure"],
] as const satisfies readonly (readonly [keyof NodeSample, keyof NodeUsageSummaries])[];

const VM_SIGNALS = [
  ["cpuMillicores", "cpu"],
  ["memoryBytes", "memory"],
  ["dirtyRate", "dirtyRate"],
  ["vcpuDelay", "vcpuDelay"],
] as const satisfies readonly (readonly [keyof VmSample, keyof VmUsageSummaries])[];

/** One object's rings: signal s, round slot r at values[s * capacity + r]. */
interface Series {
  values: Float32Array;
  /** The newest round it reported in, ms since the epoch. */
  lastSeen: number;
}

/** The round timestamps, a ring shared by every series. */
class Rounds {
  times = new Float64Array(INITIAL_CAPACITY);
  head = 0;
  count = 0;

  get capacity(): number {
    return this.times.length;
  }

  slot(index: number): number {
    return (this.head + index) % this.capacity;
  }

  newest(): number | undefined {
    return this.count === 0 ? undefined : this.times[this.slot(this.count - 1)];
  }

  oldest(): number | undefined {
    return this.count === 0 ? undefined : this.times[this.head];
  }

  dropOldest(): void {
    this.head = this.slot(1);
    this.count -= 1;
  }
}

/** The series of one kind of object (nodes or VMs), all laid out on the same rounds. */
class SeriesTable<S extends object> {
  readonly series = new Map<string, Series>();
  readonly #fields: readonly (keyof S)[];

  constructor(fields: readonly (keyof S)[]) {
    this.#fields = fields;
  }

  get signals(): number {
    return this.#fields.length;
  }

  clearSlot(slot: number, capacity: number): void {
    for (const { values } of this.series.values()) {
      for (let signal = 0; signal < this.#fields.length; signal++) values[signal * capacity + slot] = Number.NaN;
    }
  }

  write(samples: ReadonlyMap<string, S>, slot: number, rounds: Rounds): void {
    const capacity = rounds.capacity;
    const at = rounds.times[slot] ?? 0;
    for (const [key, sample] of samples) {
      let series = this.series.get(key);
      if (series === undefined) {
        series = { values: new Float32Array(this.#fields.length * capacity).fill(Number.NaN), lastSeen: at };
        this.series.set(key, series);
      }
      series.lastSeen = at;
      this.#fields.forEach((field, signal) => {
        const value = sample[field];
        series.values[signal * capacity + slot] = typeof value === "number" ? value : Number.NaN;
      });
    }
  }

  /** Copies every ring, oldest round first, into rings of the new capacity. */
  relayout(rounds: Rounds, capacity: number): void {
    for (const series of this.series.values()) {
      const next = new Float32Array(this.#fields.length * capacity).fill(Number.NaN);
      for (let signal = 0; signal < this.#fields.length; signal++) {
        for (let index = 0; index < rounds.count; index++) {
          next[signal * capacity + index] = series.values[signal * rounds.capacity + rounds.slot(index)] ?? Number.NaN;
        }
      }
      series.values = next;
    }
  }

  forgetSilentSince(cutoff: number): void {
    for (const [key, series] of this.series) if (series.lastSeen <= cutoff) this.series.delete(key);
  }

  bytes(): number {
    let total = 0;
    for (const series of this.series.values()) total += series.values.byteLength;
    return total;
  }
}

/** Scratch columns reused across series, so a summary pass allocates nothing per point. */
interface Scratch {
  times: Float64Array;
  values: Float64Array;
}

export class UsageHistory {
  readonly #rounds = new Rounds();
  readonly #nodes = new SeriesTable<NodeSample>(NODE_SIGNALS.map(([field]) => field));
  readonly #vms = new SeriesTable<VmSample>(VM_SIGNALS.map(([field]) => field));
  readonly #maxRounds: number;
  #retainSeconds: number;

  constructor(options: UsageHistoryOptions = {}) {
    this.#retainSeconds = options.retainSeconds ?? DEFAULT_RETAIN_SECONDS;
    this.#maxRounds = Math.max(1, Math.floor(options.maxRounds ?? DEFAULT_MAX_ROUNDS));
  }

  /**
   * Adds a round. A round at the newest round's time is merged into it; an older one is refused
   * (returns false), since the rings hold rounds in time order.
   */
  record(sample: UsageSample): boolean {
    const newest = this.#rounds.newest();
    if (!Number.isFinite(sample.at) || (newest !== undefined && sample.at < newest)) return false;
    if (sample.at !== newest) this.#openRound(sample.at);
    const slot = this.#rounds.slot(this.#rounds.count - 1);
    this.#nodes.write(sample.nodes, slot, this.#rounds);
    this.#vms.write(sample.vms, slot, this.#rounds);
    const cutoff = sample.at - this.#retainSeconds * 1000;
    this.#nodes.forgetSilentSince(cutoff);
    this.#vms.forgetSilentSince(cutoff);
    return true;
  }

  /**
   * Summaries over (now - window, now] for every node and VM with a point in it. Asking for a longer
   * window than before makes the history keep that much from now on.
   */
  summaries(now: number, settings: HistorySettings): UsageSummaries {
    this.#retainSeconds = Math.max(this.#retainSeconds, settings.windowSeconds);
    const summarySettings = { now, ...settings };
    const scratch: Scratch = {
      times: new Float64Array(this.#rounds.count),
      values: new Float64Array(this.#rounds.count),
    };
    const summarizeSeries = (series: Series, signal: number): UsageSummary | undefined =>
      summarizeColumns(this.#columns(series, signal, scratch), summarySettings);
    const nodes = new Map<string, NodeUsageSummaries>();
    for (const [key, series] of this.#nodes.series) {
      const summaries = summariesOf(NODE_SIGNALS, (signal) => summarizeSeries(series, signal));
      if (summaries !== undefined) nodes.set(key, summaries);
    }
    const vms = new Map<string, VmUsageSummaries>();
    for (const [key, series] of this.#vms.series) {
      const summaries = summariesOf(VM_SIGNALS, (signal) => summarizeSeries(series, signal));
      if (summaries !== undefined) vms.set(key, summaries);
    }
    return { windowSeconds: settings.windowSeconds, nodes, vms };
  }

  /** How many nodes, VMs and rounds the history holds. */
  get size(): { readonly nodes: number; readonly vms: number; readonly rounds: number } {
    return { nodes: this.#nodes.series.size, vms: this.#vms.series.size, rounds: this.#rounds.count };
  }

  /** Bytes held in typed arrays (timestamps and values), for the memory budget. */
  retainedBytes(): number {
    return this.#rounds.times.byteLength + this.#nodes.bytes() + this.#vms.bytes();
  }

  #openRound(at: number): void {
    const rounds = this.#rounds;
    const cutoff = at - this.#retainSeconds * 1000;
    while (rounds.count > 0 && (rounds.oldest() ?? at) <= cutoff) rounds.dropOldest();
    if (rounds.count === rounds.capacity) {
      if (rounds.capacity < this.#maxRounds) this.#grow(Math.min(this.#maxRounds, Math.ceil(rounds.capacity * 1.5)));
      else rounds.dropOldest();
    }
    const slot = rounds.slot(rounds.count);
    rounds.times[slot] = at;
    rounds.count += 1;
    this.#nodes.clearSlot(slot, rounds.capacity);
    this.#vms.clearSlot(slot, rounds.capacity);
  }

  #grow(capacity: number): void {
    const rounds = this.#rounds;
    this.#nodes.relayout(rounds, capacity);
    this.#vms.relayout(rounds, capacity);
    const times = new Float64Array(capacity);
    for (let index = 0; index < rounds.count; index++) times[index] = rounds.times[rounds.slot(index)] ?? 0;
    rounds.times = times;
    rounds.head = 0;
  }

  /** One signal's points, oldest first, without the rounds it has no value for. */
  #columns(
    series: Series,
    signal: number,
    scratch: Scratch,
  ): { times: Float64Array; values: Float64Array; length: number } {
    const rounds = this.#rounds;
    let length = 0;
    for (let index = 0; index < rounds.count; index++) {
      const slot = rounds.slot(index);
      const value = series.values[signal * rounds.capacity + slot] ?? Number.NaN;
      if (Number.isNaN(value)) continue;
      scratch.times[length] = rounds.times[slot] ?? 0;
      scratch.values[length] = value;
      length += 1;
    }
    return { times: scratch.times, values: scratch.values, length };
  }
}

/** A summary per signal, or undefined when no signal has a point in the window. */
function summariesOf<F extends string>(
  signals: readonly (readonly [string, F])[],
  summarize: (signal: number) => UsageSummary | undefined,
): Partial<Record<F, UsageSummary>> | undefined {
  const summaries: Partial<Record<F, UsageSummary>> = {};
  let any = false;
  signals.forEach(([, field], signal) => {
    const summary = summarize(signal);
    if (summary === undefined) return;
    summaries[field] = summary;
    any = true;
  });
  return any ? summaries : undefined;
}
