/** Zod issues as field errors, with an unknown event `type` reported as "NotSupported, one of …". */
import type { z } from "zod";
import { type FieldError, fieldErrorsFromZod } from "../../core/policy/field-error.ts";
import { EVENT_TYPES } from "./event-schema.ts";

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A failed discriminated union reads better named for what it is than as "invalid input". */
function discriminatorError(issue: z.core.$ZodIssue): FieldError | undefined {
  if (issue.code !== "invalid_union" || !("note" in issue) || issue.note !== "No matching discriminator")
    return undefined;
  const path = issue.path.map((segment) => (typeof segment === "symbol" ? String(segment) : segment));
  const given = isRecord(issue.input) ? issue.input.type : undefined;
  const supported = EVENT_TYPES.join(", ");
  if (given === undefined) return { type: "Required", path, message: `required field is missing; one of ${supported}` };
  return {
    type: "NotSupported",
    path,
    message: `unsupported event type ${JSON.stringify(given)}; supported: ${supported}`,
  };
}

export function scenarioFieldErrors(issues: readonly z.core.$ZodIssue[]): FieldError[] {
  const errors: FieldError[] = [];
  const rest: z.core.$ZodIssue[] = [];
  for (const issue of issues) {
    const error = discriminatorError(issue);
    if (error) errors.push(error);
    else rest.push(issue);
  }
  return [...errors, ...fieldErrorsFromZod(rest)];
}
