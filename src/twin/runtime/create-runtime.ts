/**
 * The twin's shared runtime (clock, store, truth, events, log, migration board), before any
 * simulated controller is attached. The twin wires its controllers to it; tests of one part
 * (a scenario without controllers) use it bare.
 */
import { createRng } from "../../core/numeric/rng.ts";
import { ResourceRegistry } from "../api/resources.ts";
import { VirtualClock } from "../clock/virtual-clock.ts";
import { ObjectStore } from "../store/store.ts";
import { EventRecorder } from "./events.ts";
import { TwinLog } from "./log.ts";
import { MigrationBoard } from "./migration-board.ts";
import { resourcesOf } from "./resources.ts";
import type { TwinRuntime } from "./runtime.ts";
import { HostTruth } from "./truth.ts";

export interface RuntimeOptions {
  readonly seed: number;
  /** Virtual start time, ms since the epoch. */
  readonly start: number;
  readonly workload: TwinRuntime["workload"];
  readonly evictPod: TwinRuntime["evictPod"];
}

export function createRuntime({ seed, start, workload, evictPod }: RuntimeOptions): TwinRuntime {
  const clock = new VirtualClock(start);
  const registry = new ResourceRegistry();
  const root = createRng(seed);
  const store = new ObjectStore(clock, root.fork("store"));
  const resources = resourcesOf(registry);
  const log = new TwinLog();
  store.subscribe(undefined, (event) => log.add(clock.nowIso(), event));
  return {
    clock,
    store,
    registry,
    resources,
    truth: new HostTruth(),
    events: new EventRecorder(store, clock, resources),
    log,
    workload,
    migrations: new MigrationBoard(),
    evictPod,
    rng: (component) => root.fork(component),
  };
}
