/** How a failed request, list or watch is put in one line for an error, a notice or the log. */

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function statusCode(error: unknown): number | undefined {
  if (!isRecord(error)) return undefined;
  const code = error.statusCode ?? error.code;
  return typeof code === "number" ? code : undefined;
}

function statusBody(error: unknown): Record<string, unknown> {
  const body = isRecord(error) ? error.body : undefined;
  if (isRecord(body)) return body;
  try {
    const parsed: unknown = typeof body === "string" ? JSON.parse(body) : undefined;
    return isRecord(parsed) ? parsed : {};
  } catch {
    return {};
  }
}

/** "404 NotFound: the server could not find the requested resource", or the connection error with its cause. */
export function describeFailure(error: unknown): string {
  const code = statusCode(error);
  if (code !== undefined) {
    const { reason, message } = statusBody(error);
    const text = typeof message === "string" ? message : error instanceof Error ? error.message.split("\n")[0] : "";
    return `${code}${typeof reason === "string" ? ` ${reason}` : ""}: ${text ?? ""}`;
  }
  const cause = error instanceof Error ? error.cause : undefined;
  return cause instanceof Error ? `${messageOf(error)}: ${cause.message}` : messageOf(error);
}
