/** What every part of the simulated KubeVirt shares: the runtime, its indexes and the live configuration. */
import { ApiError } from "../api/status.ts";
import type { KubeObject } from "../api/types.ts";
import type { VirtualClock } from "../clock/virtual-clock.ts";
import type { EventType } from "../runtime/events.ts";
import type { Resources } from "../runtime/resources.ts";
import type { TwinRuntime } from "../runtime/runtime.ts";
import type { ObjectStore } from "../store/store.ts";
import { type KubeVirtConfig, readKubeVirtConfig } from "./config.ts";
import { KubeVirtIndexes } from "./indexes.ts";

export interface KubeVirtEvent {
  readonly type: EventType;
  readonly reason: string;
  readonly message: string;
  readonly component: string;
}

export class KubeVirtContext {
  readonly runtime: TwinRuntime;
  readonly store: ObjectStore;
  readonly resources: Resources;
  readonly clock: VirtualClock;
  readonly indexes: KubeVirtIndexes;

  constructor(runtime: TwinRuntime) {
    this.runtime = runtime;
    this.store = runtime.store;
    this.resources = runtime.resources;
    this.clock = runtime.clock;
    this.indexes = new KubeVirtIndexes(runtime.store, runtime.resources);
  }

  /** Read on every use, so a changed CR applies at once; parsed again only when the CRs changed. */
  config(): KubeVirtConfig {
    const version = this.store.resourceVersionOf(this.resources.kubevirts);
    if (this.parsed?.version !== version) {
      this.parsed = { version, config: readKubeVirtConfig(this.store, this.resources) };
    }
    return this.parsed.config;
  }

  private parsed: { version: number; config: KubeVirtConfig } | undefined;

  now(): number {
    return this.clock.now();
  }

  nowIso(): string {
    return this.clock.nowIso();
  }

  /** Records an Event; like client-go's recorder it drops the Event when the API refuses it. */
  event(object: KubeObject, event: KubeVirtEvent): void {
    try {
      this.runtime.events.record(object, event);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
    }
  }

  stop(): void {
    this.indexes.stop();
  }
}
