/**
 * Applies one event to a running twin, now: from the scenario's timeline or from the control
 * endpoint. Targets are looked up first, so an event that names nothing the twin has changes
 * nothing and throws an EventTargetError.
 */
import type { TwinEvent } from "../event-schema.ts";
import type { EventContext, EventOutcome } from "./context.ts";
import { applyFlap, applyTruthEvent, isTruthEvent } from "./host-events.ts";
import { applyLoadSpike, selectVms } from "./load-events.ts";
import { applyDegradedHardware, applyEndMaintenance, applyMaintenance } from "./node-events.ts";
import { selectHosts } from "./targets.ts";

export function applyEvent(context: EventContext, event: TwinEvent): EventOutcome {
  if (event.type === "load-spike") {
    const vms = selectVms(context.runtime, event);
    applyLoadSpike(context, event, vms);
    return { type: event.type, targets: vms.map((vm) => `${vm.namespace}/${vm.name}`) };
  }
  const hosts = selectHosts(context.runtime, event, context.rng);
  if (isTruthEvent(event)) applyTruthEvent(context, event, hosts);
  else if (event.type === "flap") applyFlap(context, event, hosts);
  else if (event.type === "maintenance") applyMaintenance(context, event, hosts);
  else if (event.type === "end-maintenance") applyEndMaintenance(context, hosts);
  else applyDegradedHardware(context, event, hosts);
  return { type: event.type, targets: hosts };
}
