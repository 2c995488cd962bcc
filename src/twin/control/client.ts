/**
 * Talks to a running twin's control endpoint, found through the kubeconfig `kubedrs twin` wrote:
 * the current context's server, with its user's token.
 */
import { KubeConfig } from "@kubernetes/client-node";
import { isRecord } from "../api/types.ts";
import type { EventReceipt } from "./inject.ts";
import { CONTROL_PREFIX } from "./twin-control.ts";

/** The twin answered with an error, or could not be reached; `details` are its causes. */
export class ControlRequestError extends Error {
  readonly details: readonly string[];

  constructor(message: string, details: readonly string[] = []) {
    super(message);
    this.details = details;
  }
}

interface Endpoint {
  readonly server: string;
  readonly headers: Record<string, string>;
}

export function endpointFromKubeconfig(file: string): Endpoint {
  const config = new KubeConfig();
  try {
    config.loadFromFile(file);
  } catch (error) {
    throw new ControlRequestError(
      `cannot read the kubeconfig ${file}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const server = config.getCurrentCluster()?.server;
  if (server === undefined) throw new ControlRequestError(`the kubeconfig ${file} has no current cluster`);
  const token = config.getCurrentUser()?.token;
  return {
    server: server.replace(/\/+$/, ""),
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  };
}

function causesOf(body: unknown): string[] {
  const causes =
    isRecord(body) && isRecord(body.details) && Array.isArray(body.details.causes) ? body.details.causes : [];
  const text = (value: unknown): string => (typeof value === "string" ? value : "");
  return causes.filter(isRecord).map((cause) => `${text(cause.field)}: ${text(cause.message)}`);
}

async function call(endpoint: Endpoint, path: string, init: RequestInit = {}): Promise<unknown> {
  const url = `${endpoint.server}${CONTROL_PREFIX}${path}`;
  let response: Response;
  try {
    response = await fetch(url, { ...init, headers: { ...endpoint.headers, "content-type": "application/json" } });
  } catch {
    throw new ControlRequestError(`cannot reach the twin at ${endpoint.server}: is \`kubedrs twin\` running?`);
  }
  const body: unknown = await response.json().catch(() => undefined);
  if (response.ok) return body;
  const causes = causesOf(body);
  if (causes.length > 0) throw new ControlRequestError("the twin refused the request:", causes);
  const message = isRecord(body) && typeof body.message === "string" ? body.message : `HTTP ${response.status}`;
  throw new ControlRequestError(`the twin refused the request: ${message}`);
}

export async function postEvent(endpoint: Endpoint, event: unknown): Promise<EventReceipt> {
  return (await call(endpoint, "events", { method: "POST", body: JSON.stringify(event) })) as EventReceipt;
}

export async function getStatus(endpoint: Endpoint): Promise<unknown> {
  return call(endpoint, "status");
}
