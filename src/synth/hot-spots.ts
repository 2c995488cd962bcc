/**
 * The imbalance a balancer should fix. A `hot` fraction of the nodes is packed with more VMs and
 * runs at 80–95% of allocatable CPU; the rest sit at 25–45%, which is uneven but calm. GPU nodes
 * are never hot: their few tainted VMs could not load them that far.
 */
import type { Rng } from "../core/numeric/rng.ts";
import { uniform } from "./distributions.ts";
import type { FleetNode } from "./node-builder.ts";
import { GiB } from "./units.ts";

/** How much more likely a hot node is to be drawn during placement. */
const HOT_PACKING = 1.4;

export const HOT_CPU_UTILIZATION = { min: 0.82, max: 0.93 } as const;
export const CALM_CPU_UTILIZATION = { min: 0.25, max: 0.45 } as const;

/** A hot flag per node: `fraction` of the nodes that can run hot, chosen by the rng. */
export function chooseHotNodes(rng: Rng, fleet: readonly FleetNode[], fraction: number): Uint8Array {
  const hot = new Uint8Array(fleet.length);
  const eligible = fleet.flatMap((node, index) => (node.pool.role === "gpu" ? [] : [index]));
  const count = Math.min(eligible.length, Math.round(fraction * fleet.length));
  for (const index of rng.shuffle(eligible).slice(0, count)) hot[index] = 1;
  return hot;
}

/** Placement draws nodes in proportion to their allocatable memory, hot ones more often. */
export function placementWeights(fleet: readonly FleetNode[], hot: Uint8Array): Float64Array {
  return Float64Array.from(fleet, (node, index) => {
    const memory = (node.spec.allocatable ?? node.spec.capacity).memory ?? 0;
    return (memory / GiB) * (hot[index] ? HOT_PACKING : 1);
  });
}

/** The share of allocatable CPU a node's usage should add up to. */
export function targetCpuUtilization(rng: Rng, isHot: boolean): number {
  const range = isHot ? HOT_CPU_UTILIZATION : CALM_CPU_UTILIZATION;
  return uniform(rng, range.min, range.max);
}
