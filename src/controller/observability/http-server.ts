/**
 * The controller's own HTTP endpoint: /healthz for the kubelet's liveness probe, /readyz for its
 * readiness probe (a 503 says why not, so `kubectl describe pod` shows the reason), and /metrics
 * for Prometheus. Nothing else is served; a probe callback that throws answers as a failure.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";

export interface HealthServerOptions {
  /** 0 picks a free port (tests). */
  readonly port: number;
  /** Defaults to every interface, as probes come to the pod's IP. */
  readonly host?: string;
  readonly registry: Registry;
  /** False when the process is wedged and should be restarted. */
  readonly live: () => boolean;
  /** undefined when ready; otherwise why not ("waiting for the informers to sync"). */
  readonly ready: () => string | undefined;
}

export interface HealthServer {
  /** The port it listens on (the one picked when asked for 0). */
  readonly port: number;
  /** Stops listening and drops open keep-alive connections (Prometheus keeps one). */
  close(): Promise<void>;
}

interface Reply {
  readonly status: number;
  readonly body: string;
  readonly contentType?: string;
}

type Route = (options: HealthServerOptions) => Reply | Promise<Reply>;

const TEXT = "text/plain; charset=utf-8";

const ROUTES: Readonly<Record<string, Route>> = {
  "/healthz": ({ live }) => (live() ? ok() : { status: 500, body: "not live" }),
  "/readyz": ({ ready }) => {
    const reason = ready();
    return reason === undefined ? ok() : { status: 503, body: reason };
  },
  "/metrics": async ({ registry }) => ({
    status: 200,
    body: await registry.metrics(),
    contentType: registry.contentType,
  }),
};

export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const server = createServer((request, response) => {
    respond(options, request, response).catch(() => response.destroy());
  });
  await listen(server, options);
  return {
    port: (server.address() as AddressInfo).port,
    close: () => close(server),
  };
}

async function respond(
  options: HealthServerOptions,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const reply = await answer(options, request);
  const headers: Record<string, string> = { "content-type": reply.contentType ?? TEXT };
  if (reply.status === 405) headers.allow = "GET, HEAD";
  response.writeHead(reply.status, headers);
  response.end(request.method === "HEAD" ? undefined : reply.body);
}

async function answer(options: HealthServerOptions, request: IncomingMessage): Promise<Reply> {
  const path = new URL(request.url ?? "/", "http://localhost").pathname;
  const route = ROUTES[path];
  if (!route) return { status: 404, body: `not found: ${path}; try /healthz, /readyz or /metrics` };
  if (request.method !== "GET" && request.method !== "HEAD") return { status: 405, body: `${path} answers GET only` };
  try {
    return await route(options);
  } catch (error) {
    // A probe that cannot say "fine" says "not fine", with the reason: /readyz 503, others 500.
    const message = error instanceof Error ? error.message : String(error);
    return { status: path === "/readyz" ? 503 : 500, body: `${path.slice(1)} check failed: ${message}` };
  }
}

function ok(): Reply {
  return { status: 200, body: "ok" };
}

function listen(server: Server, options: HealthServerOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const failed = (error: Error): void => {
      const where = `${options.host ?? "*"}:${options.port}`;
      reject(new Error(`health server could not listen on ${where}: ${error.message}`, { cause: error }));
    };
    server.once("error", failed);
    server.listen(options.port, options.host, () => {
      server.off("error", failed);
      resolve();
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}
