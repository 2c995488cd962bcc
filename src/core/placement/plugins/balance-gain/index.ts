/** BalanceGain: prefers the node that is least loaded after the move, by actual use, CPU and memory weighted per policy. */
import { vmLoad } from "../../../model/load.ts";
import type { ScorePlugin } from "../../framework.ts";

export const balanceGain: ScorePlugin = {
  name: "BalanceGain",
  defaultWeight: 10,
  normalize: "max",
  score(ctx, vm, node) {
    const weights = ctx.balance.resources;
    const statistic = ctx.load.statistic;
    const cpu = ctx.load.utilization(node.index, "cpu", vmLoad(vm, "cpu", statistic));
    const memory = ctx.load.utilization(node.index, "memory", vmLoad(vm, "memory", statistic));
    const weighted = (weights.cpu * cpu + weights.memory * memory) / (weights.cpu + weights.memory);
    return 100 * Math.max(0, 1 - weighted);
  },
};
