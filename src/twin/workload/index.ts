/**
 * Simulated guest load and the metrics built on it. Each VMI's workload annotation gives curves
 * over virtual time (spec.ts); the source answers "what does this guest use now"; a sampler on the
 * virtual clock shares each host's CPU among its guests and integrates the counters; and the
 * results are served as metrics.k8s.io (kubectl top) and as Prometheus text on /metrics.
 */
import type { Registry } from "prom-client";
import { typeKey } from "../api/resources.ts";
import type { Controller, TwinRuntime } from "../runtime/runtime.ts";
import type { VmUsageSample, WorkloadSource } from "../runtime/workload.ts";
import type { Route, VirtualResource } from "../server/api-server.ts";
import { nodeMetrics, podMetrics } from "./metrics-api.ts";
import { demandAt } from "./model.ts";
import { GuestProfiles } from "./profiles.ts";
import { metricsRoute, workloadRegistry } from "./prometheus.ts";
import { LoadSampler, SAMPLE_PERIOD_MS } from "./sampler.ts";
import type { TraceLibrary } from "./trace.ts";
import { FileTraceLibrary } from "./trace-loader.ts";

export {
  DEFAULT_CPU_FRACTION,
  DEFAULT_DIRTY_RATE,
  DEFAULT_MEMORY_FRACTION,
  LOAD_FACTOR_ANNOTATION,
  WORKLOAD_ANNOTATION,
  type CurveSpec,
  type WorkloadSpec,
  type WorkloadSpecInput,
  curveSpec,
  workloadSpec,
} from "./spec.ts";
export { SYSTEM_RESERVED_ANNOTATION } from "./shapes.ts";
export { MemoryTraceLibrary, type TraceLibrary, parseTrace } from "./trace.ts";
export { FileTraceLibrary, resolveTracePath } from "./trace-loader.ts";
export { SAMPLE_PERIOD_MS } from "./sampler.ts";

export interface WorkloadSimulation {
  readonly source: WorkloadSource;
  readonly virtual: ReadonlyMap<string, VirtualResource>;
  readonly routes: readonly Route[];
  readonly controllers: readonly Controller[];
  /** The sampler behind the metrics, for tests and tools that want the numbers without HTTP. */
  readonly sampler: LoadSampler;
  /** The registry /metrics serves (its own, never prom-client's global one). */
  readonly registry: Registry;
}

export interface WorkloadOptions {
  /** Where trace files come from; by default the disk, relative paths under `traceDirectory`. */
  readonly traces?: TraceLibrary;
  /** The base of relative trace paths (default: the working directory). */
  readonly traceDirectory?: string;
  readonly samplePeriodMs?: number;
}

function workloadSource(runtime: TwinRuntime, profiles: GuestProfiles): WorkloadSource {
  return {
    usage: (vm: string, now: number): VmUsageSample | undefined => {
      const profile = profiles.get(vm);
      if (!profile || runtime.truth.hostsOf(vm).length === 0) return undefined;
      // Demand: what the guest would use with its host to itself (contention shows in the metrics).
      const demand = demandAt(profile, now / 1000);
      return {
        cpuMillis: Math.round(demand.cpuCores * 1000),
        memoryBytes: Math.round(demand.memoryBytes),
        dirtyRateBytesPerSecond: demand.dirtyRateBytesPerSecond,
      };
    },
  };
}

export function startWorkloads(runtime: TwinRuntime, options: WorkloadOptions = {}): WorkloadSimulation {
  const traces = options.traces ?? new FileTraceLibrary(options.traceDirectory ?? process.cwd());
  const profiles = new GuestProfiles(runtime, traces);
  const sampler = new LoadSampler(runtime, profiles, options.samplePeriodMs ?? SAMPLE_PERIOD_MS);
  const controllers = [profiles.start(), sampler.start()];
  const registry = workloadRegistry({ sampler, migrations: runtime.migrations, truth: runtime.truth });
  return {
    source: workloadSource(runtime, profiles),
    virtual: new Map([
      [typeKey(runtime.resources.nodeMetrics), nodeMetrics(runtime, sampler)],
      [typeKey(runtime.resources.podMetrics), podMetrics(runtime, sampler)],
    ]),
    routes: [metricsRoute(registry)],
    controllers,
    sampler,
    registry,
  };
}
