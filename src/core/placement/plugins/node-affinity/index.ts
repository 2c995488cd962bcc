/** NodeAffinity: the VM's nodeSelector and required node affinity, exactly as kube-scheduler reads them. */
import { anyNodeSelectorTermMatches, nodeSelectorTermMatches } from "../../../model/selectors.ts";
import type { FilterPlugin, ScorePlugin } from "../../framework.ts";

export const nodeAffinity: FilterPlugin = {
  name: "NodeAffinity",
  static: true,
  signature: (_ctx, vm) => JSON.stringify([vm.nodeSelector, vm.requiredNodeTerms ?? null]),
  filter(_ctx, vm, node) {
    for (const [key, value] of Object.entries(vm.nodeSelector)) {
      const actual = node.labels[key];
      if (actual !== value)
        return `nodeSelector ${key}=${value} not matched (node has ${actual === undefined ? "no such label" : `${key}=${actual}`})`;
    }
    const terms = vm.requiredNodeTerms;
    if (terms && !anyNodeSelectorTermMatches(terms, node.name, node.labels)) {
      return "matches none of the VM's required node affinity terms";
    }
    return undefined;
  },
};

/** Sums the weights of the VM's preferred node affinity terms the node matches. */
export const preferredNodeAffinity: ScorePlugin = {
  name: "PreferredNodeAffinity",
  defaultWeight: 2,
  normalize: "max",
  score(_ctx, vm, node) {
    const preferred = vm.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
    let total = 0;
    for (const term of preferred) {
      if (nodeSelectorTermMatches(term.preference, node.name, node.labels)) total += term.weight;
    }
    return total;
  },
};
