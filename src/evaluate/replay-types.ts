/**
 * The trace replay's vocabulary (issue 7): the cluster a replay runs on, what a strategy sees when it
 * decides, and the moves it asks for. Every strategy, kubedrs and the baselines alike, sees the same
 * state and is judged by the same metrics (replay-metrics.ts).
 *
 * Units: CPU in cores (fractions allowed), memory in bytes, time in milliseconds since the epoch.
 */
import type { MigrationRecord } from "./replay-metrics.ts";

export interface ReplayHost {
  readonly name: string;
  /** The host model, e.g. "G4" or "G5". */
  readonly type: string;
  /** Physical CPU capacity in cores: utilization is CPU use over this. */
  readonly cores: number;
  readonly memory: number;
  /** Pod capacity (kubelet's maxPods). */
  readonly pods: number;
  readonly labels: Readonly<Record<string, string>>;
  /** Bytes per second the host sends or receives a migration at (the link); 10 GbE when unset. */
  readonly migrationBandwidth?: number;
  /**
   * What the kubelet leaves for pods after its reservations: what the scheduler fits requests into
   * and kubedrs measures utilization against. The whole host when unset, as on CloudSim's hosts.
   */
  readonly allocatable?: HostAllocatable;
}

/** CPU in cores, memory in bytes, pods a count. */
export interface HostAllocatable {
  readonly cpu: number;
  readonly memory: number;
  readonly pods: number;
}

export function allocatableOf(host: ReplayHost): HostAllocatable {
  return host.allocatable ?? { cpu: host.cores, memory: host.memory, pods: host.pods };
}

export interface ReplayVm {
  /** namespace/name, as kubedrs names VMs. */
  readonly key: string;
  readonly vcpus: number;
  /** Guest RAM: what the VM uses on its host and what a migration copies. */
  readonly memory: number;
  /** The virt-launcher pod's requests, which the Kubernetes scheduler places by (KubeVirt's cpuAllocationRatio applied). */
  readonly requests: { readonly cpu: number; readonly memory: number };
  /** Bytes per second the guest dirties while it runs: the migration model's input. */
  readonly dirtyRate: number;
}

/** What every strategy sees when it decides. Read-only: strategies never change the state. */
export interface ReplayState {
  readonly now: number;
  /** The trace's sample interval (5 minutes for PlanetLab). */
  readonly stepMs: number;
  readonly hosts: readonly ReplayHost[];
  readonly vms: readonly ReplayVm[];
  /** Each VM's host index. A VM that is migrating counts on its source until it completes. */
  readonly hostOf: Int32Array;
  /**
   * Each VM's CPU use in cores over the last `samples` trace steps, oldest first (fewer at the start
   * of a replay). What metrics-server or Prometheus would report; never the future.
   */
  cpuHistory(vm: number, samples: number): readonly number[];
  /** VMs with a migration in flight. */
  readonly migrating: ReadonlySet<number>;
  /** Every migration so far, in start order (anti-thrash cooldowns read it). */
  readonly migrations: readonly MigrationRecord[];
}

/** A live migration of `vm` to the host with index `to`. */
export interface ReplayMove {
  readonly vm: number;
  readonly to: number;
}

export interface ReplayStrategy {
  readonly name: string;
  /** How often it decides, in milliseconds (a multiple of the step, or a fraction of it for sub-step loops). */
  readonly intervalMs: number;
  /**
   * The migrations to start now. The replay runs them under KubeVirt's limits (5 per cluster, 2
   * outbound per node): those over the limit wait, as pending VMIMs do. A move whose target cannot
   * take the VM's requests when it starts fails, as an unschedulable target pod does.
   */
  decide(state: ReplayState): readonly ReplayMove[];
}

/** Node-level figures every strategy computes the same way. */
export function hostCpuUse(state: ReplayState, samples = 1): Float64Array {
  const use = new Float64Array(state.hosts.length);
  state.vms.forEach((_, vm) => {
    const history = state.cpuHistory(vm, samples);
    const mean = history.length === 0 ? 0 : history.reduce((sum, value) => sum + value, 0) / history.length;
    const host = state.hostOf[vm] ?? 0;
    use[host] = (use[host] ?? 0) + mean;
  });
  return use;
}

/** CPU cores, memory bytes and pods requested per host. */
export interface HostRequests {
  readonly cpu: Float64Array;
  readonly memory: Float64Array;
  readonly pods: Int32Array;
}

/** Zero requests for `hosts` hosts. */
export function emptyRequests(hosts: number): HostRequests {
  return { cpu: new Float64Array(hosts), memory: new Float64Array(hosts), pods: new Int32Array(hosts) };
}

/** Adds the VM's pod to `host` (sign 1), or takes it off (sign −1). */
export function addRequests(requests: HostRequests, host: number, vm: ReplayVm, sign: 1 | -1 = 1): void {
  requests.cpu[host] = (requests.cpu[host] ?? 0) + sign * vm.requests.cpu;
  requests.memory[host] = (requests.memory[host] ?? 0) + sign * vm.requests.memory;
  requests.pods[host] = (requests.pods[host] ?? 0) + sign;
}

/**
 * Whether one more pod of `vm` fits `host`'s allocatable on top of `requests` (NodeResourcesFit,
 * unrounded; kube-scheduler.ts rounds as the scheduler does). CPU sums get a hair of slack for
 * floating-point addition.
 */
export function fitsRequests(requests: HostRequests, host: ReplayHost, index: number, vm: ReplayVm): boolean {
  const allocatable = allocatableOf(host);
  return (
    (requests.cpu[index] ?? 0) + vm.requests.cpu <= allocatable.cpu + 1e-9 &&
    (requests.memory[index] ?? 0) + vm.requests.memory <= allocatable.memory &&
    (requests.pods[index] ?? 0) + 1 <= allocatable.pods
  );
}

/** The requests each host holds for the VMs placed on it. */
export function hostRequests(state: ReplayState): HostRequests {
  const requests = emptyRequests(state.hosts.length);
  state.vms.forEach((vm, index) => addRequests(requests, state.hostOf[index] ?? 0, vm));
  return requests;
}

/** Guest memory in use on each host, in bytes. */
export function hostMemoryUse(state: ReplayState): Float64Array {
  const use = new Float64Array(state.hosts.length);
  state.vms.forEach((vm, index) => {
    const host = state.hostOf[index] ?? 0;
    use[host] = (use[host] ?? 0) + vm.memory;
  });
  return use;
}
