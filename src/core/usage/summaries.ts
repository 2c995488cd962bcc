/**
 * What the usage history hands the planning core: per node and per VM, one summary per signal over
 * the same window. Every signal is optional, because each source measures a different subset
 * (metrics.k8s.io has no pressure, dirty rate or vCPU delay) and a scrape can miss an object.
 */
import type { UsageSummary } from "../model/snapshot.ts";

export interface NodeUsageSummaries {
  /** Millicores. */
  readonly cpu?: UsageSummary;
  /** Bytes. */
  readonly memory?: UsageSummary;
  /** Share of time some task waited for a CPU (PSI "some"), 0..1. */
  readonly cpuPressure?: UsageSummary;
}

export interface VmUsageSummaries {
  /** Millicores. */
  readonly cpu?: UsageSummary;
  /** Bytes. */
  readonly memory?: UsageSummary;
  /** Bytes per second of guest memory dirtied. */
  readonly dirtyRate?: UsageSummary;
  /** Share of vCPU time spent waiting for a host CPU. */
  readonly vcpuDelay?: UsageSummary;
}

export interface UsageSummaries {
  /** The window every summary covers, in seconds; becomes the snapshot's `usageWindow`. */
  readonly windowSeconds: number;
  /** By node name. */
  readonly nodes: ReadonlyMap<string, NodeUsageSummaries>;
  /** By "namespace/name" of the VMI. */
  readonly vms: ReadonlyMap<string, VmUsageSummaries>;
}
