/**
 * Kubernetes Events (core/v1) as controllers emit them, deduplicated like the event recorder
 * does: the same reason and message on the same object bumps the count of one Event.
 */
import type { VirtualClock } from "../clock/virtual-clock.ts";
import type { KubeObject } from "../api/types.ts";
import type { ObjectStore } from "../store/store.ts";
import type { Resources } from "./resources.ts";

export type EventType = "Normal" | "Warning";

export interface EventInput {
  readonly type: EventType;
  readonly reason: string;
  readonly message: string;
  /** The reporting component, e.g. virt-controller. */
  readonly component: string;
}

export class EventRecorder {
  private readonly store: ObjectStore;
  private readonly clock: VirtualClock;
  private readonly resources: Resources;
  private readonly seen = new Map<string, string>();

  constructor(store: ObjectStore, clock: VirtualClock, resources: Resources) {
    this.store = store;
    this.clock = clock;
    this.resources = resources;
  }

  record(object: KubeObject, { type, reason, message, component }: EventInput): void {
    const namespace = object.metadata.namespace ?? "default";
    const key = `${object.kind ?? ""}/${namespace}/${object.metadata.name ?? ""}/${reason}/${message}`;
    const now = this.clock.nowIso();
    const existing = this.seen.get(key);
    if (existing && this.store.get(this.resources.events, namespace, existing)) {
      this.store.mutate(this.resources.events, { namespace, name: existing }, (event) => {
        event.count = (typeof event.count === "number" ? event.count : 1) + 1;
        event.lastTimestamp = now;
      });
      return;
    }
    const created = this.store.create(this.resources.events, {
      metadata: { generateName: `${object.metadata.name ?? "object"}.`, namespace },
      involvedObject: {
        apiVersion: object.apiVersion,
        kind: object.kind,
        name: object.metadata.name,
        namespace: object.metadata.namespace,
        uid: object.metadata.uid,
        resourceVersion: object.metadata.resourceVersion,
      },
      type,
      reason,
      message,
      source: { component },
      reportingComponent: component,
      count: 1,
      firstTimestamp: now,
      lastTimestamp: now,
    });
    this.seen.set(key, created.metadata.name ?? "");
  }
}
