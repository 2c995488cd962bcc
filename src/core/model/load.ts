/**
 * Actual load per node (CPU and memory in use), under one usage statistic, kept current as the
 * placement moves VMs. A VM without usage data counts at its requests; a node's usage beyond the
 * sum of its VMs' is system load that stays with the node.
 */
import type { ClusterModel, VmInfo } from "./cluster.ts";
import type { Placement } from "./placement.ts";
import type { UsageSummary } from "./snapshot.ts";

export type UsageStatistic = "mean" | "p95" | "max";
export type LoadResource = "cpu" | "memory";
export const LOAD_RESOURCES: readonly LoadResource[] = ["cpu", "memory"];

export function vmLoad(vm: VmInfo, resource: LoadResource, statistic: UsageStatistic): number {
  // A hugepage-backed guest lives in the node's hugepage pool, which allocatable memory leaves out;
  // only the launcher's overhead (its memory request) weighs on regular memory.
  if (resource === "memory" && vm.numaDemand.pages > 0) return vm.requests.memory ?? 0;
  const summary: UsageSummary | undefined = vm.usage?.[resource];
  return summary ? summary[statistic] : (vm.requests[resource] ?? 0);
}

export class LoadTracker {
  readonly statistic: UsageStatistic;
  private readonly model: ClusterModel;
  /** [cpu millicores, memory bytes] per node, flattened. */
  private readonly used: Float64Array;

  private constructor(model: ClusterModel, statistic: UsageStatistic, used: Float64Array) {
    this.model = model;
    this.statistic = statistic;
    this.used = used;
  }

  static track(placement: Placement, statistic: UsageStatistic): LoadTracker {
    const model = placement.model;
    const used = new Float64Array(model.nodes.length * 2);
    for (const node of model.nodes) {
      let cpu = 0;
      let memory = 0;
      for (const vm of placement.vmsOn(node.index)) {
        const info = model.vms[vm];
        if (!info) continue;
        cpu += vmLoad(info, "cpu", statistic);
        memory += vmLoad(info, "memory", statistic);
      }
      // System load: what the node reports beyond its VMs, never negative.
      used[node.index * 2] = Math.max(cpu, node.usage?.cpu[statistic] ?? 0);
      used[node.index * 2 + 1] = Math.max(memory, node.usage?.memory[statistic] ?? 0);
    }
    const tracker = new LoadTracker(model, statistic, used);
    placement.subscribe((vm, from, to) => tracker.shift(vm, from, to));
    return tracker;
  }

  private shift(vm: number, from: number, to: number): void {
    const info = this.model.vms[vm];
    if (!info) return;
    for (const [offset, resource] of LOAD_RESOURCES.entries()) {
      const amount = vmLoad(info, resource, this.statistic);
      this.used[from * 2 + offset] = (this.used[from * 2 + offset] ?? 0) - amount;
      this.used[to * 2 + offset] = (this.used[to * 2 + offset] ?? 0) + amount;
    }
  }

  /** CPU in millicores or memory in bytes in use on the node. */
  usage(node: number, resource: LoadResource): number {
    return this.used[node * 2 + (resource === "cpu" ? 0 : 1)] ?? 0;
  }

  /** Usage as a share of the node's allocatable, 0..1 (or above 1 when overloaded). */
  utilization(node: number, resource: LoadResource, extra = 0): number {
    const allocatable = this.model.nodes[node]?.allocatable[resource] ?? 0;
    return allocatable > 0 ? (this.usage(node, resource) + extra) / allocatable : 0;
  }
}
