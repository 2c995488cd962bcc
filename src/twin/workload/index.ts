/** Simulated guest load and the metrics built on it (metrics.k8s.io, /metrics). (Being built.) */
import type { Controller, TwinRuntime } from "../runtime/runtime.ts";
import type { Route, VirtualResource } from "../server/api-server.ts";
import type { WorkloadSource } from "../runtime/workload.ts";

export interface WorkloadSimulation {
  readonly source: WorkloadSource;
  readonly virtual: ReadonlyMap<string, VirtualResource>;
  readonly routes: readonly Route[];
  readonly controllers: readonly Controller[];
}

export function startWorkloads(_runtime: TwinRuntime): WorkloadSimulation {
  return { source: { usage: () => undefined }, virtual: new Map(), routes: [], controllers: [] };
}
