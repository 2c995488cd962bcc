/** TaintToleration: every NoSchedule and NoExecute taint must be tolerated by the VM. */
import { firstUntoleratedTaint } from "../../../model/selectors.ts";
import type { FilterPlugin, ScorePlugin } from "../../framework.ts";

export const taintToleration: FilterPlugin = {
  name: "TaintToleration",
  static: true,
  signature: (_ctx, vm) => JSON.stringify(vm.tolerations),
  filter(_ctx, vm, node) {
    const taint = firstUntoleratedTaint(node.taints, vm.tolerations, ["NoSchedule", "NoExecute"]);
    if (!taint) return undefined;
    return `untolerated taint ${taint.key}${taint.value ? `=${taint.value}` : ""}:${taint.effect}`;
  },
};

/** Prefers nodes without PreferNoSchedule taints the VM does not tolerate. */
export const taintPreferNoSchedule: ScorePlugin = {
  name: "TaintPreferNoSchedule",
  defaultWeight: 1,
  score(_ctx, vm, node) {
    return firstUntoleratedTaint(node.taints, vm.tolerations, ["PreferNoSchedule"]) ? 0 : 100;
  },
};
