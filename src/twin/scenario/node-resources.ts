/**
 * What a pool's hosts offer: capacity as the kubelet reports it, and allocatable after the
 * system and kube reservations and the memory set aside as hugepages.
 *
 * The reservations repeat src/synth/node-builder.ts (`reservedCpu`, `reservedMemory`), which that
 * module does not export; both follow the common cloud formula.
 */
import { GPU_RESOURCE } from "../../synth/node-builder.ts";
import { GiB, MiB } from "../../synth/units.ts";
import type { NodePool } from "./pool-schema.ts";

const EPHEMERAL_STORAGE = 480 * GiB;

/** Numbers: cpu in millicores, memory and hugepages in bytes, the rest counts. */
export type ResourceAmounts = Record<string, number>;

export interface NodeResources {
  readonly capacity: ResourceAmounts;
  readonly allocatable: ResourceAmounts;
}

/** Half a core for the system plus 10m per CPU for kubelet, OVS and virt-handler. */
function reservedCpu(cpus: number): number {
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

function reservedMemory(memory: number): number {
  let left = memory;
  let reserved = 100 * MiB;
  for (const [size, share] of MEMORY_RESERVE_TIERS) {
    const inTier = Math.min(left, size);
    reserved += inTier * share;
    left -= inTier;
  }
  return Math.ceil(reserved / MiB) * MiB;
}

export function poolResources(pool: NodePool): NodeResources {
  const hugepages1Gi = pool.hugepages["1Gi"] ?? 0;
  const hugepages2Mi = pool.hugepages["2Mi"] ?? 0;
  const capacity: ResourceAmounts = {
    cpu: pool.cores * 1000,
    memory: pool.memory,
    pods: pool.pods,
    "ephemeral-storage": EPHEMERAL_STORAGE,
    "hugepages-1Gi": hugepages1Gi,
    "hugepages-2Mi": hugepages2Mi,
  };
  if (pool.gpus > 0) capacity[GPU_RESOURCE] = pool.gpus;
  const allocatable: ResourceAmounts = {
    ...capacity,
    cpu: pool.cores * 1000 - reservedCpu(pool.cores),
    memory: Math.max(0, pool.memory - reservedMemory(pool.memory) - hugepages1Gi - hugepages2Mi),
    "ephemeral-storage": Math.floor(EPHEMERAL_STORAGE * 0.9),
  };
  return { capacity, allocatable };
}
