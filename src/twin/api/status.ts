/**
 * metav1.Status errors, as the API server returns them. Every failure the twin serves is one of
 * these, with the HTTP code, reason and message a real API server would use.
 */

export type StatusReason =
  | "BadRequest"
  | "NotFound"
  | "AlreadyExists"
  | "Conflict"
  | "Gone"
  | "Expired"
  | "Invalid"
  | "Forbidden"
  | "MethodNotAllowed"
  | "NotAcceptable"
  | "UnsupportedMediaType"
  | "TooManyRequests"
  | "InternalError"
  | "Timeout";

export interface StatusCause {
  readonly reason?: string;
  readonly message: string;
  readonly field?: string;
}

export interface Status {
  readonly kind: "Status";
  readonly apiVersion: "v1";
  readonly metadata: Record<string, never>;
  readonly status: "Failure" | "Success";
  readonly message: string;
  readonly reason: StatusReason | "";
  readonly code: number;
  readonly details?: {
    readonly name?: string | undefined;
    readonly group?: string | undefined;
    readonly kind?: string | undefined;
    readonly causes?: readonly StatusCause[] | undefined;
    readonly retryAfterSeconds?: number | undefined;
  };
}

/** An API error: thrown by the store and admission, turned into a Status response by the server. */
export class ApiError extends Error {
  readonly status: Status;

  constructor(status: Status) {
    super(status.message);
    this.status = status;
  }
}

interface Target {
  readonly group: string;
  readonly kind: string;
  readonly plural: string;
  readonly name?: string | undefined;
}

function failure(code: number, reason: StatusReason, message: string, details?: Status["details"]): ApiError {
  return new ApiError({
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message,
    reason,
    code,
    ...(details && { details }),
  });
}

function resourceName(target: Target): string {
  return target.group ? `${target.plural}.${target.group}` : target.plural;
}

export const errors = {
  badRequest: (message: string): ApiError => failure(400, "BadRequest", message),
  notFound: (target: Target): ApiError =>
    failure(404, "NotFound", `${resourceName(target)} "${target.name ?? ""}" not found`, {
      name: target.name,
      group: target.group,
      kind: target.plural,
    }),
  pathNotFound: (path: string): ApiError =>
    failure(404, "NotFound", `the server could not find the requested resource (${path})`),
  alreadyExists: (target: Target): ApiError =>
    failure(409, "AlreadyExists", `${resourceName(target)} "${target.name ?? ""}" already exists`, {
      name: target.name,
      group: target.group,
      kind: target.plural,
    }),
  conflict: (target: Target, message: string): ApiError =>
    failure(
      409,
      "Conflict",
      `Operation cannot be fulfilled on ${resourceName(target)} "${target.name ?? ""}": ${message}`,
      {
        name: target.name,
        group: target.group,
        kind: target.plural,
      },
    ),
  gone: (message: string): ApiError => failure(410, "Expired", message),
  invalid: (target: Target, causes: readonly StatusCause[]): ApiError =>
    failure(
      422,
      "Invalid",
      `${target.kind}${target.group ? `.${target.group}` : ""} "${target.name ?? ""}" is invalid: ${causes.map((cause) => `${cause.field ?? ""}: ${cause.message}`).join(", ")}`,
      { name: target.name, group: target.group, kind: target.kind, causes },
    ),
  forbidden: (message: string): ApiError => failure(403, "Forbidden", message),
  methodNotAllowed: (method: string, path: string): ApiError =>
    failure(
      405,
      "MethodNotAllowed",
      `the server does not allow this method on the requested resource (${method} ${path})`,
    ),
  unsupportedMediaType: (type: string): ApiError =>
    failure(
      415,
      "UnsupportedMediaType",
      `the body of the request was in an unknown format - accepted media types include: application/json, application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json; got ${type}`,
    ),
  tooManyRequests: (message: string, retryAfterSeconds?: number): ApiError =>
    failure(429, "TooManyRequests", message, retryAfterSeconds === undefined ? undefined : { retryAfterSeconds }),
  internal: (message: string): ApiError => failure(500, "InternalError", message),
};

export function successStatus(details?: Status["details"]): Status {
  return {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Success",
    message: "",
    reason: "",
    code: 200,
    ...(details && { details }),
  };
}
