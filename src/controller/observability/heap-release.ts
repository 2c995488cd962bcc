/**
 * Gives memory back after the controller's big allocations: a model of the cluster per balance
 * pass or maintenance round, the metrics of every launcher pod per usage sample. At 1,000 nodes /
 * 30,000 VMIs the pages such bursts freed stay resident: /proc showed 316 MiB of 256 KiB heap pages
 * against 206–232 MiB V8 counts as committed, and regular full collections (or
 * `--memory-reducer-favors-memory`, `--decommit-pooled-pages`) did not return them. A "last resort"
 * major collection does: RSS 532 → 401 MiB in-process (`npm run bench -- controller`). It blocks,
 * and after each sample it added about a CPU second to the cycle (a 10 s window holding a sample:
 * 20–25% of a core, against 12–16% without), so it runs at most every 20 s, right after a burst.
 * Not after the first list: releasing then, before the first pass, left the process at 637 MiB.
 *
 * After a balance pass it always runs (every few minutes). After a maintenance round (every second
 * during an evacuation or an incident) or a usage sample (every 30 s) it runs only above the soft
 * memory target (`kubedrs run --memory-target`, like Go's GOMEMLIMIT):
 * there it held RSS at 400–418 MiB for 7.3–8.8% of a core; without a target RSS sat at 469–496 MiB
 * for 5.3%.
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
