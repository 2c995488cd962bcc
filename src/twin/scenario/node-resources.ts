/**
 * What a pool's hosts offer: capacity as the kubelet reports it, and allocatable after the
 * system and kube reservations (the synthetic generator's, which follow the common cloud formula)
 * and the memory set aside as hugepages.
 */
import { GPU_RESOURCE, reservedCpu, reservedMemory } from "../../synth/node-builder.ts";
import { GiB } from "../../synth/units.ts";
import type { NodePool } from "./pool-schema.ts";

const EPHEMERAL_STORAGE = 480 * GiB;

/** Numbers: cpu in millicores, memory and hugepages in bytes, the rest counts. */
export type ResourceAmounts = Record<string, number>;

export interface NodeResources {
  readonly capacity: ResourceAmounts;
  readonly allocatable: ResourceAmounts;
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
