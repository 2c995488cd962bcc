/**
 * A replay's cluster and load, taken from a TwinScenario: its node pools become hosts, its `traces`
 * groups VMs, one per trace file, each replaying its file's samples. The same scenario can boot the
 * twin, so a replay and a twin run start from the same cluster.
 *
 * Only what a replay models is read: pools (count, cores, memory, pods, labels, zones, migration
 * bandwidth) and trace groups (vCPUs, memory, dirty rate, trace). VMs start where the Kubernetes
 * scheduler would put them, created in order (`place`).
 *
 * Requests are counted one of two ways (`Accounting`). As CloudSim counts them, the default since
 * the evaluation mirrors CloudSim's study: a VM's vCPUs (at KubeVirt's allocation ratio) and guest
 * memory against the whole host. As Kubernetes counts them: the virt-launcher pod's requests,
 * KubeVirt's per-VM overhead included, against what the kubelet leaves allocatable.
 */
import { formatBytes } from "../core/model/quantity.ts";
import { DEFAULT_MIGRATION_BANDWIDTH } from "../core/model/snapshot.ts";
import type { ReplayReport } from "./report-types.ts";
import { DEFAULT_DIRTY_RATE } from "../core/balance/migration-costs.ts";
import type { Scenario } from "../twin/scenario/index.ts";
import { poolLabels } from "../twin/scenario/node-objects.ts";
import { poolResources } from "../twin/scenario/node-resources.ts";
import type { NodePool } from "../twin/scenario/pool-schema.ts";
import { launcherRequests } from "../twin/scenario/vm-objects.ts";
import type { VmGroup } from "../twin/scenario/vm-group-schema.ts";
import type { TraceLibrary } from "../twin/workload/trace.ts";
import type { ReplayWorkload } from "./replay.ts";
import {
  type HostAllocatable,
  type ReplayHost,
  type ReplayState,
  type ReplayVm,
  addRequests,
  emptyRequests,
  fitsRequests,
} from "./replay-types.ts";
import { scheduleTarget } from "../baselines/kube-scheduler.ts";
import { createRng } from "../core/numeric/rng.ts";

/** KubeVirt's default developerConfiguration.cpuAllocationRatio: each vCPU requests 1/10 of a core. */
export const CPU_ALLOCATION_RATIO = 10;

export type InitialPlacement = (hosts: readonly ReplayHost[], vms: readonly ReplayVm[]) => Int32Array;

const ACCOUNTINGS = ["cloudsim", "kubernetes"] as const;

/** How requests are counted against hosts: see the module comment. */
export type Accounting = (typeof ACCOUNTINGS)[number];

/** A command line's `--accounting` value: CloudSim's when unset; throws naming the choices otherwise. */
export function accountingOption(value: string | undefined): Accounting {
  if (value === undefined) return "cloudsim";
  const found = ACCOUNTINGS.find((accounting) => accounting === value);
  if (found === undefined)
    throw new Error(`--accounting ${JSON.stringify(value)}: expected one of ${ACCOUNTINGS.join(", ")}`);
  return found;
}

/** What the kubelet of a pool's host leaves for pods, in the replay's units (cores, bytes, pods). */
function allocatableOfPool(pool: NodePool): HostAllocatable {
  const { allocatable } = poolResources(pool);
  return { cpu: (allocatable.cpu ?? 0) / 1000, memory: allocatable.memory ?? 0, pods: allocatable.pods ?? 0 };
}

function requestsOf(group: VmGroup, accounting: Accounting): ReplayVm["requests"] {
  if (accounting === "cloudsim") return { cpu: group.cpu / CPU_ALLOCATION_RATIO, memory: group.memory };
  const launcher = launcherRequests(group);
  return { cpu: (launcher.cpu ?? 0) / 1000, memory: launcher.memory ?? 0 };
}

function hostsOf(scenario: Scenario, accounting: Accounting): ReplayHost[] {
  return scenario.layout.nodes.map(({ name, pool, zone }) => ({
    name,
    type: pool.name,
    cores: pool.cores,
    memory: pool.memory,
    pods: pool.pods,
    labels: { ...poolLabels(pool), "topology.kubernetes.io/zone": zone, "kubernetes.io/hostname": name },
    migrationBandwidth: pool.migrationBandwidth ?? DEFAULT_MIGRATION_BANDWIDTH,
    ...(accounting === "kubernetes" && { allocatable: allocatableOfPool(pool) }),
  }));
}

/** A constant dirty rate from the group's load, or the default one when it is a curve. */
function dirtyRateOf(load: { readonly dirtyRate: unknown } | undefined): number {
  return typeof load?.dirtyRate === "number" ? load.dirtyRate : DEFAULT_DIRTY_RATE;
}

interface TracedVm {
  readonly vm: ReplayVm;
  readonly samples: Float64Array;
  /** The group's `traces.scale`. */
  readonly scale: number;
}

function tracedVms(scenario: Scenario, library: TraceLibrary, accounting: Accounting): TracedVm[] {
  const vms: TracedVm[] = [];
  for (const { group, names, traceFiles } of scenario.layout.groups) {
    if (traceFiles === undefined) continue;
    const requests = requestsOf(group, accounting);
    names.forEach((name, index) => {
      const file = traceFiles[index];
      if (file === undefined) return;
      vms.push({
        vm: {
          key: `${group.namespace}/${name}`,
          vcpus: group.cpu,
          memory: group.memory,
          requests,
          dirtyRate: dirtyRateOf(group.load),
        },
        samples: library.samples(file),
        scale: group.traces?.scale ?? 1,
      });
    });
  }
  return vms;
}

/**
 * The workload of a scenario whose VMs all replay traces with one sample interval. Throws when the
 * scenario has no trace groups or mixes intervals, naming the group.
 */
export function workloadFromScenario(
  scenario: Scenario,
  library: TraceLibrary,
  {
    day,
    place,
    accounting = "cloudsim",
  }: { readonly day: string; readonly place: InitialPlacement; readonly accounting?: Accounting },
): ReplayWorkload {
  const { spec, metadata } = scenario.document;
  const groups = spec.vmGroups.filter((group) => group.traces !== undefined);
  const intervals = new Set(groups.map((group) => group.traces?.interval));
  if (groups.length === 0) throw new Error(`scenario ${metadata.name}: no vmGroups with traces to replay`);
  if (intervals.size > 1) throw new Error(`scenario ${metadata.name}: every traces group must use one interval`);
  const stepMs = (groups[0]?.traces?.interval ?? 300) * 1000;
  const hosts = hostsOf(scenario, accounting);
  const traced = tracedVms(scenario, library, accounting);
  const vms = traced.map((entry) => entry.vm);
  const steps = Math.floor((spec.duration * 1000) / stepMs);
  return {
    name: metadata.name,
    day,
    start: spec.start,
    stepMs,
    steps,
    hosts,
    vms,
    // A trace shorter than the replay wraps, as the twin's trace curve does.
    demand: traced.map(({ samples, scale }) =>
      Float64Array.from({ length: steps }, (_, step) => (samples[step % samples.length] ?? 0) * scale),
    ),
    initialHostOf: place(hosts, vms),
  };
}

/** What the report says of the cluster a replay ran on, read from its scenario. */
export function scenarioFacts(scenario: Scenario): Omit<ReplayReport["scenario"], "description"> & {
  readonly summary: string;
} {
  const { metadata, spec } = scenario.document;
  const traced = spec.vmGroups.filter((group) => group.traces !== undefined);
  return {
    name: metadata.name,
    summary: metadata.description ?? metadata.name,
    hosts: scenario.layout.nodes.length,
    hostTypes: spec.nodePools.map(
      (pool) => `${pool.count} × ${pool.name}: ${pool.cores} cores, ${formatBytes(pool.memory)}B`,
    ),
    vmTypes: traced.map((group) => `${group.name}: ${group.cpu} vCPU, ${formatBytes(group.memory)}B`),
    stepMinutes: (traced[0]?.traces?.interval ?? 300) / 60,
  };
}

/**
 * The study's start: VMs placed in order, each on the first host (in scenario order) that can take
 * its requests, as CloudSim's simple allocation and a Kubernetes scheduler scoring MostAllocated both
 * do. With KubeVirt's CPU overcommit, memory decides how many VMs share a host, so hosts start full
 * and CPU hot spots come from what the guests do.
 */
export const packedPlacement: InitialPlacement = (hosts, vms) => {
  const requests = emptyRequests(hosts.length);
  return Int32Array.from(vms, (vm, placed) => {
    const found = hosts.findIndex((host, index) => fitsRequests(requests, host, index, vm));
    if (found < 0)
      throw new Error(`no host can take ${vm.key}: the cluster is full (${placed} of ${vms.length} VMs placed)`);
    addRequests(requests, found, vm);
    return found;
  });
};

/** A start read from a running cluster: each VM (by key) on the node named for it. */
export function placementFrom(nodeByVm: ReadonlyMap<string, string>): InitialPlacement {
  return (hosts, vms) => {
    const hostIndex = new Map(hosts.map((host, index) => [host.name, index]));
    return Int32Array.from(vms, (vm) => {
      const node = nodeByVm.get(vm.key);
      const index = node === undefined ? undefined : hostIndex.get(node);
      if (index === undefined)
        throw new Error(`${vm.key}: ${node === undefined ? "no node given" : `no host ${node}`}`);
      return index;
    });
  };
}

/** A cluster's resources as the Kubernetes API shows them: nodes' allocatable, VMs' virt-launcher requests. */
export interface ClusterAccounting {
  readonly allocatable: ReadonlyMap<string, HostAllocatable>;
  readonly requests: ReadonlyMap<string, ReplayVm["requests"]>;
}

/**
 * The workload counted as Kubernetes counts it: requests with KubeVirt's launcher overhead, fitted
 * into what each kubelet leaves after its reservations. A scenario's replay otherwise counts guest
 * memory against the whole host, as CloudSim does. Throws naming a host or VM the accounting lacks.
 */
export function withAccounting(workload: ReplayWorkload, accounting: ClusterAccounting): ReplayWorkload {
  const lookup = <T>(map: ReadonlyMap<string, T>, name: string): T => {
    const found = map.get(name);
    if (found === undefined) throw new Error(`the cluster's accounting has nothing for ${name}`);
    return found;
  };
  return {
    ...workload,
    hosts: workload.hosts.map((host) => ({ ...host, allocatable: lookup(accounting.allocatable, host.name) })),
    vms: workload.vms.map((vm) => ({ ...vm, requests: lookup(accounting.requests, vm.key) })),
  };
}

/** Just enough state for kube-scheduler to place VMs not yet running anywhere (host -1). */
function placementState(hosts: readonly ReplayHost[], vms: readonly ReplayVm[], hostOf: Int32Array): ReplayState {
  return {
    now: 0,
    stepMs: 0,
    hosts,
    vms,
    hostOf,
    cpuHistory: () => [],
    migrating: new Set(),
    migrations: [],
  };
}

/**
 * The Kubernetes scheduler's start: VMs created in order, each placed by kube-scheduler's default
 * scoring (LeastAllocated, balanced allocation), which spreads them over every host.
 */
export function spreadPlacement(seed: number): InitialPlacement {
  return (hosts, vms) => {
    const rng = createRng(seed);
    const hostOf = new Int32Array(vms.length).fill(-1);
    const requests = emptyRequests(hosts.length);
    const cursor = { next: 0 };
    const state = placementState(hosts, vms, hostOf);
    vms.forEach((vm, index) => {
      const host = scheduleTarget(state, index, { rng, requests, cursor });
      if (host === undefined) throw new Error(`no host can take ${vm.key}: the cluster is full`);
      hostOf[index] = host;
      addRequests(requests, host, vm);
    });
    return hostOf;
  };
}
