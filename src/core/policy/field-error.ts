/**
 * Validation errors in the Kubernetes style (k8s.io/apimachinery/pkg/util/validation/field):
 * a type, a field path and a message. Loaders add where the document came from.
 */
import type { z } from "zod";

export type FieldErrorType = "Required" | "Invalid" | "NotSupported" | "Forbidden" | "Duplicate";

export interface FieldError {
  readonly type: FieldErrorType;
  /** Path segments from the document root, e.g. ["spec", "rules", 2, "selector"]. */
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/** A FieldError placed in a file: which document and which line. */
export interface LocatedFieldError extends FieldError {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export function formatPath(path: readonly (string | number)[]): string {
  let text = "";
  for (const segment of path) {
    if (typeof segment === "number") text += `[${segment}]`;
    else text += text === "" ? segment : `.${segment}`;
  }
  return text === "" ? "<document>" : text;
}

export function formatFieldError(error: FieldError | LocatedFieldError): string {
  const where = "file" in error ? `${error.file}:${error.line}:${error.column}: ` : "";
  return `${where}${formatPath(error.path)}: ${error.type}: ${error.message}`;
}

/** Custom issues may name their error type through `params.type`; Invalid otherwise. */
function typeOfIssue(issue: z.core.$ZodIssue): FieldErrorType {
  if ((issue.code === "invalid_type" || issue.code === "invalid_value") && issue.input === undefined) return "Required";
  switch (issue.code) {
    case "invalid_value":
      return "NotSupported";
    case "unrecognized_keys":
      return "Forbidden";
    case "custom": {
      const type = (issue.params as { type?: FieldErrorType } | undefined)?.type;
      return type ?? "Invalid";
    }
    default:
      return "Invalid";
  }
}

function messageOfIssue(issue: z.core.$ZodIssue): string {
  if ((issue.code === "invalid_type" || issue.code === "invalid_value") && issue.input === undefined) {
    return issue.code === "invalid_value"
      ? `required field is missing; one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`
      : "required field is missing";
  }
  if (issue.code === "unrecognized_keys")
    return `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => JSON.stringify(k)).join(", ")}`;
  if (issue.code === "invalid_value")
    return `unsupported value; supported values: ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
  return issue.message;
}

/** Flattens zod issues (unions included) into field errors, one per distinct path and message. */
export function fieldErrorsFromZod(
  issues: readonly z.core.$ZodIssue[],
  prefix: readonly (string | number)[] = [],
): FieldError[] {
  const errors: FieldError[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path.map((segment) => (typeof segment === "symbol" ? String(segment) : segment))];
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) errors.push({ type: "Forbidden", path: [...path, key], message: "unknown field" });
      continue;
    }
    errors.push({ type: typeOfIssue(issue), path, message: messageOfIssue(issue) });
  }
  return dedupe(errors);
}

function dedupe(errors: FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errors.filter((error) => {
    const key = `${formatPath(error.path)}|${error.type}|${error.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
