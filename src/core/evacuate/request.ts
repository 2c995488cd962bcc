/**
 * Whether an evacuation may start, and the model as it will be once it has: the nodes cordoned for
 * maintenance, so no plan picks them as a target. A refusal is a sentence; nothing is cordoned
 * unless the request is valid.
 */
import type { ClusterModel } from "../model/cluster.ts";
import { nodeTakesVms } from "../placement/plugins/node-schedulable/index.ts";

/** Why `kubedrs evacuate NODE` must refuse, or undefined when it may go ahead. */
export function evacuationRefusal(model: ClusterModel, nodeName: string): string | undefined {
  const index = model.nodeIndex.get(nodeName);
  const node = index === undefined ? undefined : model.nodes[index];
  if (!node) return `there is no node ${nodeName}`;
  if (node.maintenance) return `node ${nodeName} is already under maintenance (${node.maintenance})`;
  return lastNodeRefusal(model, nodeName);
}

/** Refuses to empty the last node that can run VMs: its VMs would have nowhere to go. */
export function lastNodeRefusal(model: ClusterModel, nodeName: string): string | undefined {
  const others = model.nodes.filter((other) => other.name !== nodeName && nodeTakesVms(other));
  if (others.length > 0) return undefined;
  return `node ${nodeName} is the last node that can run VMs: its VMs would have nowhere to go`;
}

/** The model with these nodes in maintenance (and so no target for anything). */
export function withMaintenance(model: ClusterModel, nodes: ReadonlyMap<string, string>): ClusterModel {
  if (nodes.size === 0) return model;
  return {
    ...model,
    nodes: model.nodes.map((node) => {
      const reason = nodes.get(node.name);
      return reason === undefined || node.maintenance ? node : { ...node, maintenance: reason, unschedulable: true };
    }),
  };
}
