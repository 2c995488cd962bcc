/** NodeHealth: only Ready nodes that are not fenced out of service take VMs. */
import type { NodeInfo } from "../../../model/cluster.ts";
import type { FilterPlugin } from "../../framework.ts";

export const OUT_OF_SERVICE_TAINT = "node.kubernetes.io/out-of-service";

export function nodeHealthProblem(node: NodeInfo): string | undefined {
  if (node.notReadyReason) return `node is not ready: ${node.notReadyReason}`;
  if (node.taints.some((taint) => taint.key === OUT_OF_SERVICE_TAINT))
    return "node is out of service (fenced after a failure)";
  return undefined;
}

export const nodeHealth: FilterPlugin = {
  name: "NodeHealth",
  static: true,
  signature: () => "",
  filter: (_ctx, _vm, node) => nodeHealthProblem(node),
};
