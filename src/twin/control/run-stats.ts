/**
 * What happened during a run, counted as it happens: migrations created and how they ended. The
 * store forgets finished migrations that are deleted, so the count is kept from its events.
 */
import type { StoreEvent } from "../store/store.ts";
import type { TwinRuntime } from "../runtime/runtime.ts";

export interface MigrationCounts {
  readonly created: number;
  readonly succeeded: number;
  readonly failed: number;
}

function phaseOf(object: StoreEvent["object"] | undefined): unknown {
  return object?.status?.phase;
}

export class RunStats {
  private created = 0;
  private succeeded = 0;
  private failed = 0;
  private readonly unsubscribe: () => void;

  constructor(runtime: TwinRuntime) {
    this.unsubscribe = runtime.store.subscribe(runtime.resources.migrations, (event) => this.count(event));
  }

  private count(event: StoreEvent): void {
    if (event.type === "ADDED") this.created += 1;
    const phase = phaseOf(event.object);
    if (event.type === "DELETED" || phase === phaseOf(event.old)) return;
    if (phase === "Succeeded") this.succeeded += 1;
    if (phase === "Failed") this.failed += 1;
  }

  migrations(): MigrationCounts {
    return { created: this.created, succeeded: this.succeeded, failed: this.failed };
  }

  stop(): void {
    this.unsubscribe();
  }
}
