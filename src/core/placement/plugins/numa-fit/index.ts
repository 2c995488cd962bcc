/** NumaFit: dedicated CPUs and hugepages fit the node's NUMA cells under its Topology Manager policy. */
import type { FilterPlugin, ScorePlugin } from "../../framework.ts";
import { needsNuma } from "../../../model/numa.ts";

export const numaFit: FilterPlugin = {
  name: "NumaFit",
  static: false,
  filter(ctx, vm, node) {
    const fit = ctx.placement.numaFit(vm, node.index);
    return typeof fit === "string" ? fit : undefined;
  },
};

/** Prefers placements whose dedicated CPUs and hugepages come from one NUMA cell. */
export const numaLocality: ScorePlugin = {
  name: "NumaLocality",
  defaultWeight: 1,
  score(ctx, vm, node) {
    if (!needsNuma(vm.numaDemand)) return 100;
    const fit = ctx.placement.numaFit(vm, node.index);
    if (typeof fit === "string" || fit.length === 0) return 0;
    return Math.round(100 / fit.length);
  },
};
