/**
 * Events that go through the API, as an admin or a node problem detector would: maintenance
 * requests (medik8s NodeMaintenance) and node conditions that report degraded hardware.
 */
import type { KubeObject } from "../../api/types.ts";
import { SCENARIO_ACTOR } from "../annotations.ts";
import type { HostEvent } from "../event-schema.ts";
import { type EventContext, afterDuration, forText, noteEvent } from "./context.ts";

type MaintenanceEvent = Extract<HostEvent, { type: "maintenance" }>;
type DegradedEvent = Extract<HostEvent, { type: "degraded-hardware" }>;

/** The NodeMaintenance a scenario creates for a host. */
export function maintenanceName(node: string): string {
  return `maintenance-${node}`;
}

function endMaintenanceOf(context: EventContext, node: string, detail: string): void {
  const { store, resources } = context.runtime;
  const requests = store
    .list(resources.nodeMaintenances)
    .filter((object) => object.spec?.nodeName === node && !object.metadata.deletionTimestamp);
  for (const request of requests)
    store.delete(resources.nodeMaintenances, undefined, request.metadata.name ?? "", { actor: SCENARIO_ACTOR });
  noteEvent(context, node, `${detail} deleted=${requests.length}`);
}

export function applyMaintenance(context: EventContext, event: MaintenanceEvent, hosts: readonly string[]): void {
  const { store, resources } = context.runtime;
  for (const node of hosts) {
    const name = maintenanceName(node);
    if (store.get(resources.nodeMaintenances, undefined, name)) {
      noteEvent(context, node, "maintenance already requested");
      continue;
    }
    store.create(
      resources.nodeMaintenances,
      {
        apiVersion: "nodemaintenance.medik8s.io/v1beta1",
        kind: "NodeMaintenance",
        metadata: { name },
        spec: { nodeName: node, reason: event.reason },
      },
      { actor: SCENARIO_ACTOR },
    );
    noteEvent(context, node, `maintenance${forText(event.for)}`);
  }
  afterDuration(context, event.for, () => {
    for (const node of hosts) endMaintenanceOf(context, node, "end-maintenance (maintenance over)");
  });
}

export function applyEndMaintenance(context: EventContext, hosts: readonly string[]): void {
  for (const node of hosts) endMaintenanceOf(context, node, "end-maintenance");
}

interface NodeCondition {
  readonly type: string;
  readonly status: "True" | "False";
  readonly reason: string;
  readonly message: string;
  readonly lastHeartbeatTime: string;
  readonly lastTransitionTime: string;
}

/** Sets the condition; its transition time moves only when its status changes. */
function setCondition(node: KubeObject, condition: NodeCondition): void {
  const status = (node.status ??= {});
  const conditions = Array.isArray(status.conditions) ? (status.conditions as Record<string, unknown>[]) : [];
  const index = conditions.findIndex((existing) => existing.type === condition.type);
  const previous = conditions[index];
  const transition =
    previous !== undefined && previous.status === condition.status
      ? previous.lastTransitionTime
      : condition.lastTransitionTime;
  const next = { ...condition, lastTransitionTime: transition };
  if (index >= 0) conditions[index] = next;
  else conditions.push(next);
  status.conditions = conditions;
}

function markCondition(context: EventContext, event: DegradedEvent, node: string, state: "True" | "False"): void {
  const { store, resources, clock } = context.runtime;
  const now = clock.nowIso();
  const condition: NodeCondition = {
    type: event.condition,
    status: state,
    reason: state === "True" ? event.reason : "HardwareHealthy",
    message: state === "True" ? event.message : "the twin reports the hardware healthy again",
    lastHeartbeatTime: now,
    lastTransitionTime: now,
  };
  store.mutate(resources.nodes, { name: node }, (object) => setCondition(object, condition), {
    actor: SCENARIO_ACTOR,
    subresource: "status",
  });
}

export function applyDegradedHardware(context: EventContext, event: DegradedEvent, hosts: readonly string[]): void {
  for (const node of hosts) {
    markCondition(context, event, node, "True");
    noteEvent(context, node, `degraded-hardware ${event.condition}=True${forText(event.for)}`);
  }
  afterDuration(context, event.for, () => {
    for (const node of hosts) {
      markCondition(context, event, node, "False");
      noteEvent(context, node, `degraded-hardware ${event.condition}=False (over)`);
    }
  });
}
