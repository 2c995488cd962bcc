/**
 * One sample of one host: every guest's demand over the interval since the last sample, the CPU
 * it gets once the host is shared fairly, and the counters advanced by that interval. The shortfall is vCPU delay
 * for the guest (kubevirt_vmi_vcpu_delay_seconds_total, vSphere's "CPU ready") and CPU pressure for
 * the host (node_pressure_cpu_waiting_seconds_total). Counters advance by the rate measured for
 * the interval that ends now, so what metrics-server reports matches the counters' increase.
 * Each guest is measured at the middle of the interval (its part of it, if it started since): the
 * midpoint rule, whose error shrinks with the square of the 15 s step, where measuring at either
 * end would be off by half a step's change.
 */
import { fairShare } from "./contention.ts";
import type { GuestMeter, HostLedger } from "./meters.ts";
import { demandAt, emptyDemand } from "./model.ts";
import type { NodeShape } from "./shapes.ts";

/** Working arrays shared by every host of a sample, grown to the most guests on one host. */
export class SampleScratch {
  private capacity = 0;
  private cpu = new Float64Array(0);
  private weights = new Float64Array(0);
  private granted = new Float64Array(0);
  readonly demand = emptyDemand();

  arrays(count: number): { cpu: Float64Array; weights: Float64Array; granted: Float64Array } {
    if (count > this.capacity) {
      this.capacity = Math.max(count, this.capacity * 2, 64);
      this.cpu = new Float64Array(this.capacity);
      this.weights = new Float64Array(this.capacity);
      this.granted = new Float64Array(this.capacity);
    }
    return {
      cpu: this.cpu.subarray(0, count),
      weights: this.weights.subarray(0, count),
      granted: this.granted.subarray(0, count),
    };
  }
}

export interface HostSample {
  readonly ledger: HostLedger;
  readonly shape: NodeShape;
  readonly guests: readonly GuestMeter[];
  readonly scratch: SampleScratch;
}

export interface SampleTime {
  /** Virtual ms now, and at the previous sample. */
  readonly now: number;
  readonly previous: number;
}

interface Demands {
  readonly cpu: Float64Array;
  readonly weights: Float64Array;
  readonly granted: Float64Array;
  readonly totalCpu: number;
  readonly totalMemory: number;
}

function midpointSeconds(meter: GuestMeter, time: SampleTime): number {
  return (Math.max(time.previous, meter.startedAt) + time.now) / 2000;
}

/** Reads each guest's demand over the interval into its meter; a guest without a VMI demands nothing. */
function measureDemands(sample: HostSample, time: SampleTime): Demands {
  const count = sample.guests.length;
  const { cpu, weights, granted } = sample.scratch.arrays(count);
  const demand = sample.scratch.demand;
  let totalCpu = 0;
  let totalMemory = 0;
  for (let index = 0; index < count; index += 1) {
    const meter = sample.guests[index] as GuestMeter;
    const profile = meter.profile.current;
    if (profile) demandAt(profile, midpointSeconds(meter, time), demand);
    meter.demandCores = profile ? demand.cpuCores : 0;
    meter.memoryBytes = profile ? demand.memoryBytes : 0;
    meter.dirtyRateBytesPerSecond = profile ? demand.dirtyRateBytesPerSecond : 0;
    cpu[index] = meter.demandCores;
    weights[index] = profile?.size.vcpus ?? 1;
    totalCpu += meter.demandCores;
    totalMemory += meter.memoryBytes;
  }
  return { cpu, weights, granted, totalCpu, totalMemory };
}

function creditGuests(guests: readonly GuestMeter[], granted: Float64Array, time: SampleTime): void {
  for (let index = 0; index < guests.length; index += 1) {
    const meter = guests[index] as GuestMeter;
    const cores = granted[index] ?? 0;
    // A guest that started mid-interval ran only for part of it.
    const seconds = Math.max(0, time.now - Math.max(time.previous, meter.startedAt)) / 1000;
    meter.cpuSeconds += cores * seconds;
    meter.vcpuDelaySeconds += Math.max(0, meter.demandCores - cores) * seconds;
    meter.record(cores, time.now);
  }
}

interface HostUse {
  readonly guestCores: number;
  readonly demands: Demands;
}

function creditHost(sample: HostSample, use: HostUse, time: SampleTime): void {
  const { ledger, shape } = sample;
  const seconds = Math.max(0, time.now - Math.max(time.previous, ledger.createdAt)) / 1000;
  const systemCores = Math.min(shape.systemCpuCores, shape.cpuCores);
  const idleCores = Math.max(0, shape.cpuCores - systemCores - use.guestCores);
  const unmet = Math.max(0, use.demands.totalCpu - use.guestCores);
  const memoryDemand = use.demands.totalMemory + shape.systemMemoryBytes;
  ledger.memoryTotalBytes = shape.memoryBytes;
  ledger.userSeconds += use.guestCores * seconds;
  ledger.systemSeconds += systemCores * seconds;
  ledger.idleSeconds += idleCores * seconds;
  // PSI "some": the share of the time some task waited, here the unmet share of the guests' demand.
  if (unmet > 0) ledger.cpuWaitingSeconds += (unmet / use.demands.totalCpu) * seconds;
  if (memoryDemand > shape.memoryBytes)
    ledger.memoryWaitingSeconds += ((memoryDemand - shape.memoryBytes) / memoryDemand) * seconds;
  ledger.record(use.guestCores + systemCores, time.now);
  ledger.memoryUsedBytes = Math.min(memoryDemand, shape.memoryBytes);
}

export function sampleHost(sample: HostSample, time: SampleTime): void {
  const demands = measureDemands(sample, time);
  const available = Math.max(0, sample.shape.cpuCores - sample.shape.systemCpuCores);
  const guestCores = fairShare(demands.cpu, demands.weights, available, demands.granted);
  creditGuests(sample.guests, demands.granted, time);
  creditHost(sample, { guestCores, demands }, time);
}
