/** What an event acts through, and how it reports what it did. */
import type { Rng } from "../../../core/numeric/rng.ts";
import type { TwinRuntime } from "../../runtime/runtime.ts";

export interface EventContext {
  readonly runtime: TwinRuntime;
  /** For the random choices an event makes (which `fraction` of the hosts). */
  readonly rng: Rng;
  /** Who injected it ("scenario", "control"); the log shows it. */
  readonly source: string;
}

export interface EventOutcome {
  readonly type: string;
  /** The hosts or VMs the event acted on, sorted. */
  readonly targets: readonly string[];
}

/** An event names something the twin does not have; `path` is the field that names it. */
export class EventTargetError extends Error {
  readonly path: readonly (string | number)[];

  constructor(path: readonly (string | number)[], message: string) {
    super(message);
    this.path = path;
  }
}

export const EVENT_LOG_KIND = "TwinEvent";

/** One log line per target: `TwinEvent node-03 partition for=300s [scenario]`. */
export function noteEvent(context: EventContext, target: string, detail: string): void {
  const { clock, log } = context.runtime;
  log.note(clock.nowIso(), EVENT_LOG_KIND, target, `${detail} [${context.source}]`);
}

/** Runs `undo` after `seconds` of virtual time, when the event has a duration. */
export function afterDuration(context: EventContext, seconds: number | undefined, undo: () => void): void {
  if (seconds === undefined) return;
  context.runtime.clock.after(seconds * 1000, undo);
}

export function forText(seconds: number | undefined): string {
  return seconds === undefined ? "" : ` for=${seconds}s`;
}
