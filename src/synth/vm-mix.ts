/**
 * How many VMs of each kind a cluster of the requested size gets. Shares are of the requested VM
 * count; GPU and dedicated-CPU VMs are also capped by what their pools can hold, and replica
 * groups come in whole groups. Whatever is left is standard VMs, so the total is exact.
 */
import type { Rng } from "../core/numeric/rng.ts";
import type { FleetNode } from "./node-builder.ts";
import { GROUP_SIZES, KIND_BUILDERS } from "./vm-kinds.ts";
import type { VmDraft, VmKind } from "./vm-draft.ts";

const KIND_SHARES: readonly (readonly [VmKind, number])[] = [
  ["gpu", 0.006],
  ["dedicated", 0.02],
  ["rwo-disk", 0.035],
  ["bridge-interface", 0.008],
  ["host-passthrough", 0.03],
  ["named-model", 0.04],
  ["db-replica", 0.06],
  ["zone-replica", 0.03],
  ["soft-spread", 0.05],
  ["pinned", 0.02],
];

/** Leave a quarter of the GPUs free: GPU pools are rarely full. */
const GPU_FILL = 0.75;
/** Dedicated VMs a CPU-manager node holds comfortably (256 × 1Gi pages, about 22Gi per VM). */
const DEDICATED_PER_NUMA_NODE = 9;

export interface FleetCapacity {
  readonly gpuSlots: number;
  readonly dedicatedSlots: number;
  /** Instance types of the general pools present in the fleet. */
  readonly instanceTypes: readonly string[];
}

export function fleetCapacity(fleet: readonly FleetNode[]): FleetCapacity {
  let gpuSlots = 0;
  let dedicatedSlots = 0;
  const instanceTypes = new Set<string>();
  for (const { pool } of fleet) {
    gpuSlots += Math.floor(pool.gpus * GPU_FILL);
    if (pool.role === "numa") dedicatedSlots += DEDICATED_PER_NUMA_NODE;
    if (pool.role === "general") instanceTypes.add(pool.instanceType);
  }
  return { gpuSlots, dedicatedSlots, instanceTypes: [...instanceTypes].sort() };
}

function capFor(kind: VmKind, capacity: FleetCapacity): number {
  if (kind === "gpu") return capacity.gpuSlots;
  if (kind === "dedicated") return capacity.dedicatedSlots;
  return Number.POSITIVE_INFINITY;
}

/** VMs per kind; the counts add up to `vms` exactly. */
export function kindCounts(vms: number, capacity: FleetCapacity): Map<VmKind, number> {
  const counts = new Map<VmKind, number>();
  let assigned = 0;
  for (const [kind, share] of KIND_SHARES) {
    const groupSize = GROUP_SIZES[kind] ?? 1;
    const wanted = Math.min(Math.round(share * vms), capFor(kind, capacity), vms - assigned);
    const count = Math.floor(wanted / groupSize) * groupSize;
    counts.set(kind, count);
    assigned += count;
  }
  counts.set("standard", vms - assigned);
  return counts;
}

/** Every VM of the cluster, unplaced, in kind order. */
export function draftVms(rng: Rng, vms: number, capacity: FleetCapacity): VmDraft[] {
  const width = Math.max(6, String(vms).length);
  const drafts: VmDraft[] = [];
  let serial = 0;
  for (const [kind, count] of kindCounts(vms, capacity)) {
    const build = KIND_BUILDERS[kind];
    const end = drafts.length + count;
    while (drafts.length < end) {
      serial += 1;
      const context = { rng, serial: String(serial).padStart(width, "0"), instanceTypes: capacity.instanceTypes };
      drafts.push(...build(context));
    }
  }
  return drafts;
}
