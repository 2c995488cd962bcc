/**
 * Kubernetes Events (core/v1) as controllers emit them, deduplicated like the event recorder
 * does: the same reason and message on the same object bumps the count of one Event. Like
 * kube-apiserver (--event-ttl, default 1h), an Event is removed an hour after its last write.
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

/** kube-apiserver's default --event-ttl. */
export const EVENT_TTL_MS = 60 * 60_000;
/** How often expired Events are swept: etcd's lease expiry is not exact either. */
const EXPIRY_SWEEP_MS = 60_000;

interface LiveEvent {
  readonly namespace: string;
  readonly name: string;
  expiresAt: number;
}

export class EventRecorder {
  private readonly store: ObjectStore;
  private readonly clock: VirtualClock;
  private readonly resources: Resources;
  /** Live Events by dedup key, oldest write first (a write moves its Event to the end). */
  private readonly live = new Map<string, LiveEvent>();

  constructor(store: ObjectStore, clock: VirtualClock, resources: Resources) {
    this.store = store;
    this.clock = clock;
    this.resources = resources;
    clock.every(EXPIRY_SWEEP_MS, () => this.expire());
  }

  private expire(): void {
    const now = this.clock.now();
    for (const [key, event] of this.live) {
      if (event.expiresAt > now) return;
      this.live.delete(key);
      if (this.store.get(this.resources.events, event.namespace, event.name)) {
        this.store.delete(this.resources.events, event.namespace, event.name);
      }
    }
  }

  private touch(key: string, event: LiveEvent): void {
    event.expiresAt = this.clock.now() + EVENT_TTL_MS;
    this.live.delete(key);
    this.live.set(key, event);
  }

  record(object: KubeObject, { type, reason, message, component }: EventInput): void {
    const namespace = object.metadata.namespace ?? "default";
    const key = `${object.kind ?? ""}/${namespace}/${object.metadata.name ?? ""}/${reason}/${message}`;
    const now = this.clock.nowIso();
    const existing = this.live.get(key);
    if (existing && this.store.get(this.resources.events, namespace, existing.name)) {
      this.store.mutate(this.resources.events, { namespace, name: existing.name }, (event) => {
        event.count = (typeof event.count === "number" ? event.count : 1) + 1;
        event.lastTimestamp = now;
      });
      this.touch(key, existing);
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
    this.touch(key, { namespace, name: created.metadata.name ?? "", expiresAt: 0 });
  }
}
