/**
 * Node usage as it is *now*. A node's smoothed usage remembers the VMs that left it minutes ago, so
 * right after a migration it still looks busy, and the next pass would move more VMs off it than
 * needed (or onto a node that only looks idle). DRS reasons from VM demand for this reason. Here a
 * node's usage becomes what it runs beyond its VMs (its own load, from the newest sample, where node
 * and VM readings were taken together) plus the smoothed usage of the VMs placed on it now.
 */
import type { ClusterSnapshot, SnapshotNode, SnapshotVm, UsageSummary } from "../model/snapshot.ts";

export interface LatestReading {
  readonly cpuMillicores?: number | undefined;
  readonly memoryBytes?: number | undefined;
}

export interface LatestSample {
  readonly nodes: ReadonlyMap<string, LatestReading>;
  /** By namespace/name. */
  readonly vms: ReadonlyMap<string, LatestReading>;
}

type Signal = "cpu" | "memory";
const READING: Readonly<Record<Signal, keyof LatestReading>> = { cpu: "cpuMillicores", memory: "memoryBytes" };

function summed(vms: readonly SnapshotVm[], signal: Signal, base: number): UsageSummary | undefined {
  let mean = base;
  let p95 = base;
  let max = base;
  for (const vm of vms) {
    const usage = vm.usage?.[signal];
    if (usage === undefined) return undefined;
    mean += usage.mean;
    p95 += usage.p95;
    max += usage.max;
  }
  return { mean, p95, max };
}

/** What the node ran beyond its VMs in the newest sample; undefined when a reading is missing. */
function ownLoad(node: string, vms: readonly SnapshotVm[], latest: LatestSample, signal: Signal): number | undefined {
  const total = latest.nodes.get(node)?.[READING[signal]];
  if (total === undefined) return undefined;
  let guests = 0;
  for (const vm of vms) {
    const reading = latest.vms.get(`${vm.namespace}/${vm.name}`)?.[READING[signal]];
    if (reading === undefined) return undefined;
    guests += reading;
  }
  return Math.max(0, total - guests);
}

function rebuilt(node: SnapshotNode, vms: readonly SnapshotVm[], latest: LatestSample): SnapshotNode {
  if (node.usage === undefined) return node;
  const usage = { ...node.usage };
  for (const signal of ["cpu", "memory"] as const) {
    const own = ownLoad(node.name, vms, latest, signal);
    const summary = own === undefined ? undefined : summed(vms, signal, own);
    if (summary !== undefined) usage[signal] = summary;
  }
  return { ...node, usage };
}

export function usageForCurrentPlacement(snapshot: ClusterSnapshot, latest: LatestSample): ClusterSnapshot {
  const byNode = new Map<string, SnapshotVm[]>();
  for (const vm of snapshot.vms) byNode.set(vm.node, [...(byNode.get(vm.node) ?? []), vm]);
  return { ...snapshot, nodes: snapshot.nodes.map((node) => rebuilt(node, byNode.get(node.name) ?? [], latest)) };
}
