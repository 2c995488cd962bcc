/**
 * The recent change history of one resource, for watches that resume from a resourceVersion.
 * Like etcd after compaction, it keeps only the latest changes: resuming from an older version
 * fails with 410 Gone, and the client must list again.
 */
import type { KubeObject, WatchEventType } from "../api/types.ts";

export interface LoggedEvent {
  readonly rv: number;
  readonly type: Exclude<WatchEventType, "BOOKMARK" | "ERROR">;
  readonly object: KubeObject;
  /** The object before the change: a resumed, filtered watch needs it to tell ADDED from MODIFIED. */
  readonly old: KubeObject | undefined;
}

export class EventLog {
  private readonly events: (LoggedEvent | undefined)[];
  private next = 0;
  private count = 0;
  /** The oldest resourceVersion a watch may resume from. */
  private horizon = 0;
  /** The resourceVersion of the latest change (0 before any). */
  latest = 0;

  constructor(capacity: number) {
    this.events = new Array<LoggedEvent | undefined>(capacity);
  }

  append(event: LoggedEvent): void {
    const capacity = this.events.length;
    const evicted = this.events[this.next];
    if (evicted) this.horizon = evicted.rv;
    this.events[this.next] = event;
    this.next = (this.next + 1) % capacity;
    this.count = Math.min(this.count + 1, capacity);
    this.latest = event.rv;
  }

  /** Events after `rv`, oldest first; undefined when `rv` is older than the retained history. */
  since(rv: number): LoggedEvent[] | undefined {
    if (rv < this.horizon) return undefined;
    const capacity = this.events.length;
    const found: LoggedEvent[] = [];
    for (let i = 0; i < this.count; i += 1) {
      const event = this.events[(this.next - this.count + i + capacity) % capacity];
      if (event && event.rv > rv) found.push(event);
    }
    return found;
  }

  /** Forgets everything up to `rv` (tests use it to force 410 Gone). */
  compact(rv: number): void {
    this.horizon = Math.max(this.horizon, rv);
  }
}
