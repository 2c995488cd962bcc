/**
 * UsageHeadroom: after the move the node's actual use stays under the policy's ceilings
 * (BalancePolicy spec.utilization). Requests can fit while real load does not; this guards that.
 * A restart after a host failure is not held to it: running somewhere beats not running.
 */
import { vmLoad } from "../../../model/load.ts";
import type { FilterPlugin } from "../../framework.ts";

function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}

export const usageHeadroom: FilterPlugin = {
  name: "UsageHeadroom",
  static: false,
  filter(ctx, vm, node) {
    if (ctx.purpose === "restart") return undefined;
    const { maxCpu, maxMemory } = ctx.balance.utilization;
    const statistic = ctx.headroom.statistic;
    const cpu = ctx.headroom.utilization(node.index, "cpu", vmLoad(vm, "cpu", statistic));
    if (cpu > maxCpu) return `CPU use would reach ${percent(cpu)} (${statistic}); the ceiling is ${percent(maxCpu)}`;
    const memory = ctx.headroom.utilization(node.index, "memory", vmLoad(vm, "memory", statistic));
    if (memory > maxMemory)
      return `memory use would reach ${percent(memory)} (${statistic}); the ceiling is ${percent(maxMemory)}`;
    return undefined;
  },
};
