/**
 * A controller's work queue on virtual time, like client-go's: a key is queued once however often
 * it is added, processed in a timer at the time it is due, and re-queued with a delay on request.
 * Processing happens in clock timers, never inside the store's dispatch, so a controller sees the
 * store settled after the write that woke it.
 */
import type { VirtualClock } from "../clock/virtual-clock.ts";
import { ApiError } from "../api/status.ts";

/** Retry delay after a sync failed with an API error (client-go's rate limiter starts at 5 ms; we keep it coarse). */
const RETRY_AFTER_ERROR_MS = 1000;

export class WorkQueue {
  private readonly due = new Map<string, number>();
  private readonly clock: VirtualClock;
  private readonly process: (key: string) => void;
  private stopped = false;

  constructor(clock: VirtualClock, process: (key: string) => void) {
    this.clock = clock;
    this.process = process;
  }

  /** Queues `key` to run after `delayMs`, unless it already runs at that time or sooner. */
  add(key: string, delayMs = 0): void {
    if (this.stopped) return;
    const at = this.clock.now() + Math.max(0, delayMs);
    const queued = this.due.get(key);
    if (queued !== undefined && queued <= at) return;
    this.due.set(key, at);
    this.clock.at(at, () => this.fire(key, at));
  }

  stop(): void {
    this.stopped = true;
    this.due.clear();
  }

  private fire(key: string, at: number): void {
    if (this.stopped || this.due.get(key) !== at) return;
    this.due.delete(key);
    try {
      this.process(key);
    } catch (error) {
      // A write refused by the API (a conflict, an object gone meanwhile) is retried, as controllers do.
      if (!(error instanceof ApiError)) throw error;
      this.add(key, RETRY_AFTER_ERROR_MS);
    }
  }
}
