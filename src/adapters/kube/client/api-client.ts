/**
 * A thin JSON client for the Kubernetes API: requests authenticated from a client-node KubeConfig
 * (the same RequestContext and undici dispatcher client-node's own Watch uses), answers left as
 * parsed JSON. client-node's typed APIs turn every pod and node into model classes, which costs half
 * again as much time and memory at 30,000 objects; the controller reads a few fields of each, so it
 * stays with JSON. Failures become KubeApiError, which says whether a retry can help.
 */
import { HttpMethod, type KubeConfig, RequestContext, Watch } from "@kubernetes/client-node";
import { fetch } from "undici";
import type { JsonObject } from "../convert/meta.ts";
import { describeFailure } from "./failure.ts";

export type PatchType = "merge" | "json" | "strategic";

const PATCH_CONTENT_TYPES: Readonly<Record<PatchType, string>> = {
  merge: "application/merge-patch+json",
  json: "application/json-patch+json",
  strategic: "application/strategic-merge-patch+json",
};

/** Statuses worth retrying: throttling, conflicts (re-read first) and server trouble. */
const RETRYABLE_STATUSES = new Set([408, 409, 429, 500, 502, 503, 504]);

export class KubeApiError extends Error {
  readonly status: number;
  readonly reason: string;
  readonly retryable: boolean;

  constructor(message: string, status: number, reason: string) {
    super(message);
    this.name = "KubeApiError";
    this.status = status;
    this.reason = reason;
    // Status 0 is a connection that failed before any answer: the server may be back soon.
    this.retryable = status === 0 || RETRYABLE_STATUSES.has(status);
  }
}

export interface ListPage {
  readonly items: JsonObject[];
  readonly resourceVersion: string;
  readonly continueToken: string | undefined;
}

export type Query = Readonly<Record<string, string | number | boolean | undefined>>;

export type WatchHandler = (type: string, object: JsonObject) => void;

function withQuery(base: string, query: Query | undefined): string {
  const url = new URL(base);
  for (const [key, value] of Object.entries(query ?? {}))
    if (value !== undefined) url.searchParams.set(key, `${value}`);
  return url.toString();
}

function statusMessage(body: unknown, fallback: string): { message: string; reason: string } {
  if (typeof body === "object" && body !== null) {
    const status = body as { message?: unknown; reason?: unknown };
    return {
      message: typeof status.message === "string" ? status.message : fallback,
      reason: typeof status.reason === "string" ? status.reason : "",
    };
  }
  return { message: fallback, reason: "" };
}

export class ApiClient {
  readonly kubeconfig: KubeConfig;
  private readonly watcher: Watch;

  constructor(kubeconfig: KubeConfig) {
    this.kubeconfig = kubeconfig;
    this.watcher = new Watch(kubeconfig);
  }

  private server(): string {
    const cluster = this.kubeconfig.getCurrentCluster();
    if (!cluster) throw new KubeApiError("the kubeconfig names no current cluster", 0, "NoCluster");
    return cluster.server.replace(/\/$/, "");
  }

  async request(
    method: HttpMethod,
    path: string,
    options: { query?: Query; body?: unknown; contentType?: string } = {},
  ): Promise<unknown> {
    const url = withQuery(this.server() + path, options.query);
    const context = new RequestContext(url, method);
    await this.kubeconfig.applySecurityAuthentication(context);
    const headers: Record<string, string> = { ...context.getHeaders(), accept: "application/json" };
    if (options.body !== undefined) headers["content-type"] = options.contentType ?? "application/json";
    const dispatcher = context.getDispatcher();
    let response;
    try {
      response = await fetch(url, {
        method,
        headers,
        ...(dispatcher !== undefined && { dispatcher }),
        ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
      });
    } catch (error) {
      throw new KubeApiError(`${method} ${path}: ${describeFailure(error)}`, 0, "ConnectionFailed");
    }
    const text = await response.text();
    const body: unknown = text === "" ? undefined : JSON.parse(text);
    if (!response.ok) {
      const { message, reason } = statusMessage(body, response.statusText);
      throw new KubeApiError(`${method} ${path}: ${response.status} ${message}`, response.status, reason);
    }
    return body;
  }

  get(path: string, query?: Query): Promise<unknown> {
    return this.request(HttpMethod.GET, path, query ? { query } : {});
  }

  async listPage(path: string, query: Query): Promise<ListPage> {
    const list = (await this.get(path, query)) as {
      items?: JsonObject[];
      metadata?: { resourceVersion?: string; continue?: string };
    };
    return {
      items: list.items ?? [],
      resourceVersion: list.metadata?.resourceVersion ?? "",
      continueToken: list.metadata?.continue || undefined,
    };
  }

  create(path: string, body: JsonObject): Promise<unknown> {
    return this.request(HttpMethod.POST, path, { body });
  }

  replace(path: string, body: JsonObject): Promise<unknown> {
    return this.request(HttpMethod.PUT, path, { body });
  }

  patch(path: string, body: unknown, type: PatchType = "merge"): Promise<unknown> {
    return this.request(HttpMethod.PATCH, path, { body, contentType: PATCH_CONTENT_TYPES[type] });
  }

  delete(path: string, query?: Query): Promise<unknown> {
    return this.request(HttpMethod.DELETE, path, query ? { query } : {});
  }

  /** Streams watch events until the connection ends; `done` gets the reason (null for a clean close). */
  watch(path: string, query: Query, onEvent: WatchHandler, done: (error: unknown) => void): Promise<AbortController> {
    return this.watcher.watch(
      path,
      { ...query },
      (type: string, object: unknown) => onEvent(type, object as JsonObject),
      done,
    );
  }
}
