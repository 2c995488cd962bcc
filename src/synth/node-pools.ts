/**
 * The node pools of a typical mixed virtualization fleet: two Intel and two AMD general-purpose
 * generations, a CPU-manager pool with 1Gi hugepages for dedicated-CPU VMs, and a small tainted
 * GPU pool. Shares say how much of the fleet each pool is.
 */
import { type CpuGeneration, EPYC_MILAN, EPYC_ROME, ICELAKE, SKYLAKE } from "./cpu-catalog.ts";
import { GiB, TiB } from "./units.ts";

export type PoolRole = "general" | "numa" | "gpu";

export interface NodePool {
  /** Short name used in node names. */
  readonly name: string;
  readonly role: PoolRole;
  /** The well-known node.kubernetes.io/instance-type label. */
  readonly instanceType: string;
  readonly cpu: CpuGeneration;
  /** Logical CPUs: two sockets, two threads per core. */
  readonly cpus: number;
  readonly memory: number;
  readonly share: number;
  /** 1Gi hugepages reserved at boot on each of the two NUMA cells. */
  readonly hugepagesPerCell: number;
  readonly gpus: number;
  /** Bytes per second for migrations: 10 GbE on the oldest pool, 25 GbE elsewhere. */
  readonly migrationBandwidth: number;
}

const TEN_GBE = 1.25e9;
const TWENTY_FIVE_GBE = 3.125e9;

export const NODE_POOLS: readonly NodePool[] = [
  pool({ name: "skl", role: "general", cpu: SKYLAKE, cpus: 64, memory: 512 * GiB, share: 0.22, bandwidth: TEN_GBE }),
  pool({ name: "icx", role: "general", cpu: ICELAKE, cpus: 96, memory: 768 * GiB, share: 0.28 }),
  pool({ name: "rome", role: "general", cpu: EPYC_ROME, cpus: 128, memory: 1 * TiB, share: 0.2 }),
  pool({ name: "milan", role: "general", cpu: EPYC_MILAN, cpus: 128, memory: 1 * TiB, share: 0.18 }),
  pool({ name: "numa", role: "numa", cpu: ICELAKE, cpus: 96, memory: 768 * GiB, share: 0.08, hugepagesPerCell: 128 }),
  pool({ name: "gpu", role: "gpu", cpu: EPYC_MILAN, cpus: 64, memory: 512 * GiB, share: 0.04, gpus: 4 }),
];

interface PoolSpec {
  readonly name: string;
  readonly role: PoolRole;
  readonly cpu: CpuGeneration;
  readonly cpus: number;
  readonly memory: number;
  readonly share: number;
  readonly hugepagesPerCell?: number;
  readonly gpus?: number;
  readonly bandwidth?: number;
}

function pool(spec: PoolSpec): NodePool {
  return {
    name: spec.name,
    role: spec.role,
    instanceType: `${spec.name}-${spec.cpus}c-${spec.memory / GiB}g`,
    cpu: spec.cpu,
    cpus: spec.cpus,
    memory: spec.memory,
    share: spec.share,
    hugepagesPerCell: spec.hugepagesPerCell ?? 0,
    gpus: spec.gpus ?? 0,
    migrationBandwidth: spec.bandwidth ?? TWENTY_FIVE_GBE,
  };
}

/**
 * How many nodes each pool gets, by largest remainder. Once the fleet has room for every pool,
 * each gets at least one node, so small test clusters still have a GPU and a NUMA node.
 */
export function poolSizes(nodeCount: number): number[] {
  const exact = NODE_POOLS.map((p) => p.share * nodeCount);
  const sizes = exact.map(Math.floor);
  const byRemainder = exact.map((value, index) => ({ index, rest: value - Math.floor(value) }));
  byRemainder.sort((a, b) => b.rest - a.rest || a.index - b.index);
  let missing = nodeCount - sizes.reduce((sum, size) => sum + size, 0);
  for (const { index } of byRemainder) {
    if (missing <= 0) break;
    sizes[index] = (sizes[index] ?? 0) + 1;
    missing -= 1;
  }
  if (nodeCount >= NODE_POOLS.length) giveEveryPoolANode(sizes);
  return sizes;
}

function giveEveryPoolANode(sizes: number[]): void {
  for (let index = 0; index < sizes.length; index += 1) {
    if ((sizes[index] ?? 0) > 0) continue;
    const largest = sizes.indexOf(Math.max(...sizes));
    sizes[largest] = (sizes[largest] ?? 0) - 1;
    sizes[index] = 1;
  }
}
