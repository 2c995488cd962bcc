/** MigrationCost: prefers targets the VM reaches fast and cheaply: same zone, full migration bandwidth. */
import type { ScorePlugin } from "../../framework.ts";

/** What crossing zones costs relative to a move within one. */
const CROSS_ZONE_FACTOR = 0.5;

export const migrationCost: ScorePlugin = {
  name: "MigrationCost",
  defaultWeight: 1,
  score(ctx, vm, node) {
    const source = ctx.model.nodes[ctx.placement.nodeOf(vm.index)];
    if (!source) return 100;
    const zoneFactor = source.zone === node.zone ? 1 : CROSS_ZONE_FACTOR;
    const fallback = ctx.model.defaultMigrationBandwidth;
    const sourceBandwidth = source.migrationBandwidth ?? fallback;
    const targetBandwidth = node.migrationBandwidth ?? fallback;
    const bandwidthFactor = Math.min(1, targetBandwidth / Math.max(1, sourceBandwidth));
    return 100 * zoneFactor * bandwidthFactor;
  },
};
