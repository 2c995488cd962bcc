/**
 * The benchmarks' view of a twin: listen to its store as each write lands and read its clock, so
 * what is timed is the twin's own virtual time, not when a client happened to look.
 */
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
