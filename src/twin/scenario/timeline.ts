/**
 * Puts a scenario's events on the virtual clock. Each event draws from a random stream of its
 * own, so adding an event never changes what another one picks.
 */
import type { TwinRuntime } from "../runtime/runtime.ts";
import type { ScenarioEvent } from "./event-schema.ts";
import { applyEvent } from "./events/apply-event.ts";
import { EventTargetError, noteEvent } from "./events/context.ts";

export const SCENARIO_SOURCE = "scenario";

export function fireScenarioEvent(runtime: TwinRuntime, event: ScenarioEvent, index: number): void {
  const context = { runtime, rng: runtime.rng(`scenario/events/${index}`), source: SCENARIO_SOURCE };
  try {
    applyEvent(context, event);
  } catch (error) {
    // Validated at load time; what remains is a target that went away since (all VMs deleted).
    if (!(error instanceof EventTargetError)) throw error;
    noteEvent(context, `events[${index}]`, `${event.type} skipped: ${error.message}`);
  }
}

/** Schedules every event at `start` + its `at`; returns how many. */
export function scheduleEvents(runtime: TwinRuntime, events: readonly ScenarioEvent[], start: number): number {
  events.forEach((event, index) => {
    runtime.clock.at(start + event.at * 1000, () => fireScenarioEvent(runtime, event, index));
  });
  return events.length;
}
