/**
 * The twin's event log: every change to every object, with its virtual time, in order. A run is
 * deterministic when the same scenario and seed produce the same log; tests and replays compare
 * it. Leases and Events churn without meaning, so they are left out.
 */
import type { StoreEvent } from "../store/store.ts";

export interface LogEntry {
  readonly at: string;
  readonly type: string;
  readonly kind: string;
  readonly name: string;
  /** A short fingerprint of what changed: phase, node, conditions. */
  readonly detail: string;
}

const NOISE = new Set(["Lease", "Event"]);

function detailOf(event: StoreEvent): string {
  const status = event.object.status ?? {};
  const spec = event.object.spec ?? {};
  const parts: string[] = [];
  for (const value of [status.phase, spec.nodeName, status.nodeName, spec.unschedulable]) {
    if (value !== undefined && value !== null && value !== "")
      parts.push(typeof value === "string" ? value : JSON.stringify(value));
  }
  if (event.object.metadata.deletionTimestamp) parts.push("terminating");
  return parts.join(" ");
}

export class TwinLog {
  private readonly entries: LogEntry[] = [];
  private readonly capacity: number;

  constructor(capacity = 1_000_000) {
    this.capacity = capacity;
  }

  add(at: string, event: StoreEvent): void {
    const kind = event.object.kind ?? event.resource.kind;
    if (NOISE.has(kind) || this.entries.length >= this.capacity) return;
    const meta = event.object.metadata;
    const name = meta.namespace ? `${meta.namespace}/${meta.name ?? ""}` : (meta.name ?? "");
    this.entries.push({ at, type: event.type, kind, name, detail: detailOf(event) });
  }

  note(at: string, kind: string, name: string, detail: string): void {
    if (this.entries.length < this.capacity) this.entries.push({ at, type: "NOTE", kind, name, detail });
  }

  all(): readonly LogEntry[] {
    return this.entries;
  }

  /** One line per entry, for diffing two runs. */
  lines(): string[] {
    return this.entries.map((entry) =>
      `${entry.at} ${entry.type} ${entry.kind} ${entry.name} ${entry.detail}`.trimEnd(),
    );
  }
}
