/**
 * POST /twin/v1/events: an event of the scenario's schema, without `at`, applied at once. A body
 * that is not a JSON object is a 400; an invalid event, or one naming what the twin does not have,
 * a 422 Invalid whose causes carry the field paths.
 */
import type { Rng } from "../../core/numeric/rng.ts";
import { type FieldError, formatPath } from "../../core/policy/field-error.ts";
import { errors } from "../api/status.ts";
import { isRecord } from "../api/types.ts";
import type { ApiError } from "../api/status.ts";
import type { TwinRuntime } from "../runtime/runtime.ts";
import {
  type EventOutcome,
  EventTargetError,
  type TwinEvent,
  applyEvent,
  injectedEventSchema,
} from "../scenario/index.ts";
import { scenarioFieldErrors } from "../scenario/schema-errors.ts";
import { CONTROL_API_VERSION } from "./status.ts";

export const CONTROL_SOURCE = "control";

export interface EventReceipt {
  readonly apiVersion: typeof CONTROL_API_VERSION;
  readonly kind: "TwinEventReceipt";
  /** The virtual time the event was applied at. */
  readonly at: string;
  readonly event: TwinEvent;
  readonly targets: readonly string[];
}

function invalid(event: unknown, fieldErrors: readonly FieldError[]): ApiError {
  const type = isRecord(event) && typeof event.type === "string" ? event.type : "";
  return errors.invalid(
    { group: "twin.kubedrs.io", kind: "TwinEvent", plural: "events", name: type },
    fieldErrors.map((error) => ({ reason: error.type, field: formatPath(error.path), message: error.message })),
  );
}

/** Checks the body and returns the event, or throws the ApiError to answer with. */
export function parseInjectedEvent(body: unknown): TwinEvent {
  if (!isRecord(body))
    throw errors.badRequest(
      'the request body must be a JSON object: one event, e.g. {"type":"power-off","node":"node-01"}',
    );
  const parsed = injectedEventSchema.safeParse(body, { reportInput: true });
  if (!parsed.success) throw invalid(body, scenarioFieldErrors(parsed.error.issues));
  return parsed.data;
}

export function injectEvent(runtime: TwinRuntime, rng: Rng, event: TwinEvent): EventReceipt {
  let outcome: EventOutcome;
  try {
    outcome = applyEvent({ runtime, rng, source: CONTROL_SOURCE }, event);
  } catch (error) {
    if (error instanceof EventTargetError)
      throw invalid(event, [{ type: "NotSupported", path: error.path, message: error.message }]);
    throw error;
  }
  return {
    apiVersion: CONTROL_API_VERSION,
    kind: "TwinEventReceipt",
    at: runtime.clock.nowIso(),
    event,
    targets: outcome.targets,
  };
}
