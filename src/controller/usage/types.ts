/**
 * One round of usage measurements, as every usage source returns it, and the source interface the
 * controller polls. Values are what the planning core holds: CPU in millicores, memory in bytes,
 * dirty rate in bytes per second, pressure and vCPU delay as shares of time. A signal a source does
 * not measure, or could not read for one object this round, is simply absent.
 */

export interface NodeSample {
  readonly cpuMillicores?: number;
  readonly memoryBytes?: number;
  /** Share of time some task waited for a CPU (PSI "some"). */
  readonly cpuPressure?: number;
}

export interface VmSample {
  readonly cpuMillicores?: number;
  readonly memoryBytes?: number;
  /** Guest memory dirtied, bytes per second. */
  readonly dirtyRate?: number;
  /** Share of vCPU time spent waiting for a host CPU. */
  readonly vcpuDelay?: number;
}

export interface UsageSample {
  /** Milliseconds since the epoch: when the round was taken. */
  readonly at: number;
  /** By node name. */
  readonly nodes: Map<string, NodeSample>;
  /** By VMI, "namespace/name". */
  readonly vms: Map<string, VmSample>;
  /** Items the source skipped and why, each naming the object; a round with odd items still succeeds. */
  readonly warnings?: readonly string[];
}

export interface UsageSource {
  readonly kind: "Prometheus" | "MetricsAPI";
  /** One round of measurements at `now` (milliseconds since the epoch); rejects when the source cannot be read. */
  sample(now: number): Promise<UsageSample>;
}
