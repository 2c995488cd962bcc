/** NodeSchedulable: not cordoned, not in maintenance, and KubeVirt's virt-handler ready to run VMs there. */
import type { NodeInfo } from "../../../model/cluster.ts";
import { LABEL } from "../../../model/kubevirt-labels.ts";
import type { FilterPlugin } from "../../framework.ts";
import { nodeHealthProblem } from "../node-health/index.ts";

export function nodeSchedulingProblem(node: NodeInfo): string | undefined {
  if (node.unschedulable) return "node is cordoned (spec.unschedulable)";
  if (node.maintenance) return `node is in maintenance (${node.maintenance})`;
  const schedulable = node.labels[LABEL.schedulable];
  if (schedulable === "true") return undefined;
  return schedulable === undefined
    ? `node lacks ${LABEL.schedulable}=true: KubeVirt does not run VMs there`
    : `KubeVirt marks the node unschedulable (${LABEL.schedulable}=${schedulable})`;
}

/** Ready, not fenced out of service, schedulable and not in maintenance: a node that can take VMs now. */
export function nodeTakesVms(node: NodeInfo): boolean {
  return nodeHealthProblem(node) === undefined && nodeSchedulingProblem(node) === undefined;
}

export const nodeSchedulable: FilterPlugin = {
  name: "NodeSchedulable",
  static: true,
  signature: () => "",
  filter: (_ctx, _vm, node) => nodeSchedulingProblem(node),
};
