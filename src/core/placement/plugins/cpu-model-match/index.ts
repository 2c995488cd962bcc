/** CpuModelMatch: keeps a VM on hosts like the one it runs on, so it stays free to move back later. */
import type { ScorePlugin } from "../../framework.ts";

export const cpuModelMatch: ScorePlugin = {
  name: "CpuModelMatch",
  defaultWeight: 1,
  score(ctx, vm, node) {
    const source = ctx.model.nodes[ctx.placement.nodeOf(vm.index)];
    if (!source) return 100;
    if (source.cpu.hostModel === node.cpu.hostModel && source.cpu.vendor === node.cpu.vendor) return 100;
    return source.cpu.vendor === node.cpu.vendor ? 50 : 0;
  },
};
