/**
 * What every simulated controller gets: the clock, the store, the resources, the ground truth,
 * an event recorder, the twin's log and its own seeded random stream. Controllers act only
 * through these, so the twin stays deterministic.
 */
import type { Rng } from "../../core/numeric/rng.ts";
import type { ResourceRegistry } from "../api/resources.ts";
import type { VirtualClock } from "../clock/virtual-clock.ts";
import type { ObjectStore } from "../store/store.ts";
import type { EventRecorder } from "./events.ts";
import type { TwinLog } from "./log.ts";
import type { Resources } from "./resources.ts";
import type { MigrationBoard } from "./migration-board.ts";
import type { HostTruth } from "./truth.ts";
import type { WorkloadSource } from "./workload.ts";

export interface TwinRuntime {
  readonly clock: VirtualClock;
  readonly store: ObjectStore;
  readonly registry: ResourceRegistry;
  readonly resources: Resources;
  readonly truth: HostTruth;
  readonly events: EventRecorder;
  readonly log: TwinLog;
  /** Guest load over time (CPU, memory, dirty rate), from the scenario's workload curves. */
  readonly workload: WorkloadSource;
  /** Progress of the migrations in flight, for the migration metrics. */
  readonly migrations: MigrationBoard;
  /**
   * Evicts a pod as the eviction API would (pods/eviction): KubeVirt's webhook first, then the
   * default eviction with its disruption budgets. Throws the ApiError the API would return (429).
   * NodeMaintenance and drains use it.
   */
  evictPod(namespace: string, name: string): void;
  /** A random stream of its own for each component: adding draws in one never shifts another. */
  rng(component: string): Rng;
}

/** A running simulated component. */
export interface Controller {
  readonly name: string;
  stop(): void;
}
