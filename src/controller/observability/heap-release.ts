/**
 * Gives memory back after the controller's big allocations: a model of the cluster per balance
 * pass or maintenance round, the metrics of every launcher pod per usage sample. V8 keeps the pages such bursts
 * freed, and glibc the arenas, resident long after; its memory reducer never runs the collection
 * that returns them. A "last resort" major collection does: at 1,000 nodes / 30,000 VMIs it took
 * the controller's RSS from 532 to 401 MiB (`npm run bench -- controller`). It is a full, blocking
 * collection (several full GCs, about a CPU second on that heap), so it runs at most every 20 s,
 * right after the burst. Not after the first list: releasing then, before the first pass, left the
 * process larger (637 MiB).
 *
 * After a pass or a round it always runs (every few minutes). After a usage sample (every 30 s) it
 * runs only above the soft memory target (`kubedrs run --memory-target`, like Go's GOMEMLIMIT):
 * at 1,000 nodes that holds RSS near 400 MiB for about 3% more CPU; without one RSS sits near 470.
 *
 * It needs `--expose-gc` (bin/kubedrs.js, the Dockerfile and the npm scripts pass it); without it
 * this does nothing.
 */

interface GcOptions {
  readonly type: "major";
  readonly execution: "sync";
  readonly flavor: "last-resort";
}

type Gc = (options: GcOptions) => void;

/** Wall milliseconds between two releases at least: under one collection per usage sample (30 s). */
const DEFAULT_GAP_MS = 20_000;

export class HeapRelease {
  private readonly gc: Gc | undefined;
  private readonly gapMs: number;
  private readonly now: () => number;
  private last = Number.NEGATIVE_INFINITY;

  private readonly targetBytes: number | undefined;
  private readonly rss: () => number;

  constructor(
    options: {
      gc?: Gc | undefined;
      gapMs?: number;
      now?: () => number;
      /** The soft memory target in bytes, for `releaseAboveTarget`. */
      targetBytes?: number;
      rss?: () => number;
    } = {},
  ) {
    // An explicit `gc: undefined` means none, whatever the runtime has.
    this.gc = "gc" in options ? options.gc : (globalThis as { gc?: Gc }).gc;
    this.gapMs = options.gapMs ?? DEFAULT_GAP_MS;
    this.now = options.now ?? (() => performance.now());
    this.targetBytes = options.targetBytes;
    this.rss = options.rss ?? (() => process.memoryUsage.rss());
  }

  /** Collects when the process is above the soft memory target (never without one), within the gap. */
  releaseAboveTarget(): boolean {
    if (this.targetBytes === undefined || this.rss() <= this.targetBytes) return false;
    return this.release();
  }

  /** Whether releases happen at all (the runtime exposes gc). */
  get enabled(): boolean {
    return this.gc !== undefined;
  }

  /** Collects now unless one ran within the gap; returns whether it did. */
  release(): boolean {
    const now = this.now();
    if (this.gc === undefined || now - this.last < this.gapMs) return false;
    this.last = now;
    this.gc({ type: "major", execution: "sync", flavor: "last-resort" });
    return true;
  }
}
