/**
 * When a node's maintenance request goes away: uncordon it (if kubedrs cordoned it), then, if its
 * MaintenancePolicy says moveBack, bring the evacuated VMs home (phase MovingBack) until none is
 * left to move or in flight, and clear the status.
 */
import type { Logger } from "pino";
import type { PlannedMove } from "../../core/balance/plan-types.ts";
import { maintenancePolicyFor } from "../../core/evacuate/actions.ts";
import { planMoveBack } from "../../core/evacuate/move-back.ts";
import type { ClusterModel, NodeInfo } from "../../core/model/cluster.ts";
import type { PolicySet } from "../../core/policy/policy-set.ts";
import type { EventRecorder } from "../executor/event-recorder.ts";
import type { EvacuationStatus } from "./evacuation-status.ts";
import { iso, nodeTarget, type NodeWrites } from "./node-writes.ts";

export interface EndDeps {
  readonly nodes: NodeWrites;
  readonly events: EventRecorder;
  readonly log: Logger;
}

export interface Ended {
  readonly node: NodeInfo;
  readonly status: EvacuationStatus;
}

/** Returns the move-back migrations to run now. */
export async function endMaintenance(
  deps: EndDeps,
  ended: Ended,
  cluster: { readonly model: ClusterModel; readonly policies: PolicySet },
  now: number,
): Promise<PlannedMove[]> {
  const { node, status } = ended;
  const { model, policies } = cluster;
  if (status.phase !== "MovingBack") {
    if (status.cordonedByKubedrs && node.unschedulable) await deps.nodes.cordon(node.name, false);
    const moveBack = maintenancePolicyFor(policies, node)?.spec.moveBack === true && status.phase !== "Refused";
    const message = moveBack ? "moving the evacuated VMs back" : "uncordoned";
    await deps.events.record(nodeTarget(node.name), "Normal", "MaintenanceEnded", message);
    await deps.nodes.writeStatus(
      node.name,
      moveBack ? { ...status, phase: "MovingBack", updatedAt: iso(now) } : undefined,
    );
    return [];
  }
  // The uncordon has not reached the cache yet: the node is no target until it has.
  if (node.unschedulable) return [];
  const back = planMoveBack({ model, policies, now, node: node.name, vms: status.vms });
  const migrating = back.staying.some((stay) => stay.reason.startsWith("MigrationInFlight"));
  if (back.moves.length === 0 && !migrating) {
    await deps.nodes.writeStatus(node.name, undefined);
    deps.log.info({ node: node.name, stayed: back.staying.length }, "move-back finished");
  }
  return [...back.moves];
}
