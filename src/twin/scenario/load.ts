/**
 * The load a VM group's guests run: the workload model's WorkloadSpec (src/twin/workload/spec.ts),
 * written as JSON into each VM template's `twin.kubedrs.io/workload` annotation. A `traces` group
 * replays one trace file per VM as its CPU curve.
 */
import { DEFAULT_WORKLOAD, type WorkloadSpec, workloadSpec } from "../workload/spec.ts";

export { workloadSpec as workloadSpecSchema, type WorkloadSpec };

/** How a `traces` group replays its files (the trace curve's options but the file). */
export interface TraceReplay {
  readonly interval: number;
  readonly scale: number;
  readonly interpolation: "linear" | "hold";
}

/** The group's load with its CPU curve replaced by the VM's trace. */
export function withTraceFile(load: WorkloadSpec | undefined, file: string, replay: TraceReplay): WorkloadSpec {
  const { interval, scale, interpolation } = replay;
  return { ...(load ?? DEFAULT_WORKLOAD), cpu: { type: "trace", file, offset: 0, interval, scale, interpolation } };
}
