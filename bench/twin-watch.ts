/**
 * The benchmarks' view of a twin: listen to its store as each write lands and read its clock, so
 * what is timed is the twin's own virtual time, not when a client happened to look.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Twin } from "../src/twin/twin.ts";
import type { StoreEvent } from "../src/twin/store/store.ts";

type Resource = Parameters<Twin["runtime"]["store"]["subscribe"]>[0];

export class TwinWatch {
  protected readonly twin: Twin;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(twin: Twin) {
    this.twin = twin;
  }

  /** Calls `listener` with every change to the resource until stop(). */
  protected listen(resource: Resource, listener: (event: StoreEvent) => void): void {
    this.unsubscribe.push(this.twin.runtime.store.subscribe(resource, listener));
  }

  stop(): void {
    for (const unsubscribe of this.unsubscribe.splice(0)) unsubscribe();
  }

  protected now(): number {
    return this.twin.runtime.clock.now();
  }
}

export interface WaitLimits {
  /** Virtual time (ms since the epoch) past which waiting ends. */
  readonly virtualDeadline: number;
  readonly wallLimitMs: number;
  readonly pollMs: number;
}

/**
 * Polls `check` until it gives a value, or the twin's clock passes the virtual deadline, or the wall
 * limit runs out: `{ value }`, or which limit ended the wait.
 */
export async function waitOnTwin<T>(
  twin: Twin,
  check: () => T | undefined,
  limits: WaitLimits,
): Promise<{ readonly value: T } | { readonly ended: "virtual" | "wall" }> {
  const wallDeadline = performance.now() + limits.wallLimitMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return { value };
    if (twin.runtime.clock.now() >= limits.virtualDeadline) return { ended: "virtual" };
    if (performance.now() > wallDeadline) return { ended: "wall" };
    await sleep(limits.pollMs);
  }
}
