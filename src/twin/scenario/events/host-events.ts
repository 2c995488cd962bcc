/**
 * Events on the hosts' ground truth: power, network, BMC. The API learns of them the way a real
 * cluster would, through the simulated kubelets' silence and the remediators' probes.
 */
import type { HostState } from "../../runtime/truth.ts";
import type { HostEvent } from "../event-schema.ts";
import { type EventContext, afterDuration, forText, noteEvent } from "./context.ts";

type TruthEvent = Extract<
  HostEvent,
  { type: "power-off" | "power-on" | "partition" | "heal" | "bmc-unreachable" | "bmc-restore" }
>;

/** The truth each event sets, and the event that undoes it after `for`. */
const TRUTH_CHANGES: Readonly<Record<TruthEvent["type"], { change: Partial<HostState>; undo?: TruthEvent["type"] }>> = {
  "power-off": { change: { powered: false }, undo: "power-on" },
  "power-on": { change: { powered: true } },
  partition: { change: { networked: false }, undo: "heal" },
  heal: { change: { networked: true } },
  "bmc-unreachable": { change: { bmcReachable: false }, undo: "bmc-restore" },
  "bmc-restore": { change: { bmcReachable: true } },
};

export function isTruthEvent(event: HostEvent): event is TruthEvent {
  return event.type in TRUTH_CHANGES;
}

function setHosts(context: EventContext, hosts: readonly string[], type: TruthEvent["type"], detail: string): void {
  const { change } = TRUTH_CHANGES[type];
  for (const host of hosts) {
    context.runtime.truth.setHost(host, change);
    noteEvent(context, host, detail);
  }
}

export function applyTruthEvent(context: EventContext, event: TruthEvent, hosts: readonly string[]): void {
  const seconds = "for" in event ? event.for : undefined;
  setHosts(context, hosts, event.type, `${event.type}${forText(seconds)}`);
  const undo = TRUTH_CHANGES[event.type].undo;
  if (undo !== undefined)
    afterDuration(context, seconds, () => setHosts(context, hosts, undo, `${undo} (${event.type} over)`));
}

/** Network down, up, down, …: `count` toggles, `period` apart, starting with down. */
export function applyFlap(
  context: EventContext,
  event: Extract<HostEvent, { type: "flap" }>,
  hosts: readonly string[],
): void {
  const toggle = (done: number): void => {
    const down = done % 2 === 0;
    for (const host of hosts) {
      context.runtime.truth.setHost(host, { networked: !down });
      noteEvent(context, host, `flap ${down ? "down" : "up"} ${done + 1}/${event.count}`);
    }
    if (done + 1 < event.count) context.runtime.clock.after(event.period * 1000, () => toggle(done + 1));
  };
  toggle(0);
}
