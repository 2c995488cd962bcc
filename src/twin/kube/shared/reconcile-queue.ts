/**
 * A controller-runtime style work queue on virtual time: reconciles are keyed, a key queued
 * twice runs once, and RequeueAfter keeps the earliest due time. Reconciles run from the clock,
 * never inside a store listener, so each sees the writes of the last.
 */

export class ReconcileQueue {
  private readonly dueAt = new Map<string, number>();
  private readonly now: () => number;
  private readonly schedule: (delayMs: number, run: () => void) => void;
  private readonly reconcile: (key: string) => void;

  constructor(deps: {
    now: () => number;
    schedule: (delayMs: number, run: () => void) => void;
    reconcile: (key: string) => void;
  }) {
    this.now = deps.now;
    this.schedule = deps.schedule;
    this.reconcile = deps.reconcile;
  }

  add(key: string, delayMs = 0): void {
    const at = this.now() + delayMs;
    const due = this.dueAt.get(key);
    if (due !== undefined && due <= at) return;
    this.dueAt.set(key, at);
    this.schedule(delayMs, () => {
      if (this.dueAt.get(key) !== at) return;
      this.dueAt.delete(key);
      this.reconcile(key);
    });
  }
}
