/**
 * Turns the pool catalog into snapshot nodes: the full label set KubeVirt's node-labeller and
 * heartbeat write, capacity and allocatable the way the kubelet reports them, and two NUMA cells.
 */
import { LABEL } from "../core/model/kubevirt-labels.ts";
import type { SnapshotNode } from "../core/model/snapshot.ts";
import { isoSeconds } from "./clock.ts";
import type { CpuGeneration } from "./cpu-catalog.ts";
import { NODE_POOLS, type NodePool, poolSizes } from "./node-pools.ts";
import { GiB, MiB } from "./units.ts";

export const ZONES = ["zone-a", "zone-b", "zone-c"] as const;

/** Machine types the hosts' QEMU offers; new VMs get the first. */
export const MACHINE_TYPES = ["pc-q35-rhel9.6.0", "pc-q35-rhel9.4.0", "pc-q35-rhel9.2.0", "pc-q35-rhel8.6.0"] as const;

/**
 * Every machine-type name a host is labelled with: libvirt's capabilities list aliases beside the
 * canonical types (`<machine canonical=…>q35`) and the node labeller labels each name, so a VMI
 * asking for plain q35 (the amd64 default) schedules.
 */
export const NODE_MACHINE_TYPES = [...MACHINE_TYPES, "q35"] as const;

export const GPU_RESOURCE = "nvidia.com/gpu";
export const GPU_TAINT = { key: GPU_RESOURCE, value: "present", effect: "NoSchedule" } as const;
export const INSTANCE_TYPE_LABEL = "node.kubernetes.io/instance-type";
export const HUGEPAGES_1GI = "hugepages-1Gi";

const MAX_PODS = 250;
const TSC_FREQUENCY_LABEL = "cpu-timer.node.kubevirt.io/tsc-frequency";
const TSC_SCALABLE_LABEL = "cpu-timer.node.kubevirt.io/tsc-scalable";

/** A built node and the pool it came from, which later stages ask about (role, CPU generation). */
export interface FleetNode {
  readonly spec: SnapshotNode;
  readonly pool: NodePool;
}

/** Every node of the fleet, sorted by name, with zones dealt round-robin inside each pool. */
export function buildFleet(nodeCount: number, takenAt: string): FleetNode[] {
  const sizes = poolSizes(nodeCount);
  const width = Math.max(4, String(Math.max(...sizes)).length);
  const heartbeat = { takenAt, leaseRenewed: isoSeconds(Date.parse(takenAt) - 4000) };
  const fleet: FleetNode[] = [];
  NODE_POOLS.forEach((pool, poolIndex) => {
    const baseLabels = Object.entries(poolLabels(pool));
    for (let i = 0; i < (sizes[poolIndex] ?? 0); i += 1) {
      const name = `${pool.name}-${String(i + 1).padStart(width, "0")}`;
      const zone = ZONES[i % ZONES.length] ?? ZONES[0];
      fleet.push({ spec: buildNode({ pool, name, zone, baseLabels }, heartbeat), pool });
    }
  });
  return fleet.sort((a, b) => (a.spec.name < b.spec.name ? -1 : a.spec.name > b.spec.name ? 1 : 0));
}

interface NodeIdentity {
  readonly pool: NodePool;
  readonly name: string;
  readonly zone: string;
  readonly baseLabels: readonly (readonly [string, string])[];
}

function buildNode(
  { pool, name, zone, baseLabels }: NodeIdentity,
  heartbeat: { takenAt: string; leaseRenewed: string },
): SnapshotNode {
  const capacity = capacityOf(pool);
  return {
    name,
    labels: nodeLabels(baseLabels, name, zone),
    annotations: { "kubevirt.io/heartbeat": heartbeat.takenAt },
    taints: pool.role === "gpu" ? [{ ...GPU_TAINT }] : [],
    unschedulable: false,
    conditions: [{ type: "Ready", status: "True" }],
    capacity,
    allocatable: allocatableOf(pool, capacity),
    numa: {
      topologyPolicy: pool.role === "numa" ? "single-numa-node" : "none",
      cells: [0, 1].map((id) => ({
        id,
        cpus: cellCpuset(pool.cpus, id),
        memory: pool.memory / 2,
        hugepages: pool.hugepagesPerCell > 0 ? { "1Gi": pool.hugepagesPerCell } : {},
      })),
    },
    migrationBandwidth: pool.migrationBandwidth,
    lease: { renewTime: heartbeat.leaseRenewed, durationSeconds: 40 },
  };
}

/** Copied key by key: spreading a 150-key object into a new one is several times slower. */
function nodeLabels(baseLabels: NodeIdentity["baseLabels"], name: string, zone: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [key, value] of baseLabels) labels[key] = value;
  labels[LABEL.hostname] = name;
  labels[LABEL.zone] = zone;
  return labels;
}

/**
 * The labels a KubeVirt host carries whatever its pool: the kubelet's, the heartbeat's and the
 * node labeller's (its CPU's, and the machine types).
 */
export function hostLabels(host: {
  instanceType: string;
  cpuManager: boolean;
  cpuLabels: Record<string, string>;
}): Record<string, string> {
  const cpuManager = String(host.cpuManager);
  return {
    "kubernetes.io/arch": "amd64",
    "kubernetes.io/os": "linux",
    "node-role.kubernetes.io/worker": "",
    [INSTANCE_TYPE_LABEL]: host.instanceType,
    [LABEL.schedulable]: "true",
    // The heartbeat writes both spellings, "false" wherever the static CPU manager is off.
    [LABEL.cpuManager]: cpuManager,
    cpumanager: cpuManager,
    ...host.cpuLabels,
    ...machineTypeLabels(),
  };
}

/** Labels every node of the pool shares; only hostname and zone differ per node. */
function poolLabels(pool: NodePool): Record<string, string> {
  const labels = hostLabels({
    instanceType: pool.instanceType,
    cpuManager: pool.role === "numa",
    cpuLabels: cpuLabels(pool.cpu),
  });
  if (pool.gpus > 0) {
    labels["nvidia.com/gpu.present"] = "true";
    labels["nvidia.com/gpu.product"] = "NVIDIA-A100-PCIE-40GB";
  }
  return labels;
}

/** The QEMU machine types every host offers (machine-type.node.kubevirt.io/*, KubeVirt ≥ 1.6). */
function machineTypeLabels(): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const machineType of NODE_MACHINE_TYPES) labels[LABEL.machineType + machineType] = "true";
  return labels;
}

/** The labels KubeVirt's node labeller writes for a CPU generation (kubevirt-api.md §4.1). */
export function cpuLabels(cpu: CpuGeneration): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const model of cpu.usableModels) {
    labels[LABEL.cpuModel + model] = "true";
    // Only models the host can run qualify as host-model migration targets.
    labels[LABEL.cpuModelMigration + model] = "true";
  }
  for (const feature of cpu.features) labels[LABEL.cpuFeature + feature] = "true";
  labels[LABEL.hostModelCpu + cpu.hostModel] = "true";
  for (const feature of cpu.hostModelRequiredFeatures) labels[LABEL.hostModelRequiredFeature + feature] = "true";
  labels[LABEL.cpuVendor + cpu.vendor] = "true";
  labels[TSC_FREQUENCY_LABEL] = String(cpu.tscFrequency);
  labels[TSC_SCALABLE_LABEL] = "true";
  return labels;
}

function capacityOf(pool: NodePool): Record<string, number> {
  const capacity: Record<string, number> = {
    cpu: pool.cpus * 1000,
    memory: pool.memory,
    pods: MAX_PODS,
    [HUGEPAGES_1GI]: 2 * pool.hugepagesPerCell * GiB,
    "hugepages-2Mi": 0,
  };
  if (pool.gpus > 0) capacity[GPU_RESOURCE] = pool.gpus;
  return capacity;
}

/** The kubelet subtracts system and kube reservations, and memory pre-allocated as hugepages. */
function allocatableOf(pool: NodePool, capacity: Readonly<Record<string, number>>): Record<string, number> {
  const hugepages = capacity[HUGEPAGES_1GI] ?? 0;
  return {
    ...capacity,
    cpu: pool.cpus * 1000 - reservedCpu(pool.cpus),
    memory: pool.memory - reservedMemory(pool.memory) - hugepages,
  };
}

/** Half a core for the system plus 10m per CPU for kubelet, OVS and virt-handler. */
export function reservedCpu(cpus: number): number {
  return 500 + 10 * cpus;
}

/** Tiers as in the common cloud formula (25% of the first 4Gi … 2% above 128Gi), plus the eviction threshold. */
const MEMORY_RESERVE_TIERS: readonly (readonly [number, number])[] = [
  [4 * GiB, 0.25],
  [4 * GiB, 0.2],
  [8 * GiB, 0.1],
  [112 * GiB, 0.06],
  [Number.POSITIVE_INFINITY, 0.02],
];

export function reservedMemory(memory: number): number {
  let left = memory;
  let reserved = 100 * MiB;
  for (const [size, share] of MEMORY_RESERVE_TIERS) {
    const inTier = Math.min(left, size);
    reserved += inTier * share;
    left -= inTier;
  }
  return Math.ceil(reserved / MiB) * MiB;
}

/** Linux numbering on two sockets with hyper-threads: cell 0 holds 0-31,64-95 of 128 CPUs. */
function cellCpuset(cpus: number, cell: number): string {
  const cores = cpus / 4;
  const first = cell * cores;
  const sibling = 2 * cores + first;
  return `${first}-${first + cores - 1},${sibling}-${sibling + cores - 1}`;
}
