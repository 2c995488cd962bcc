/**
 * What the contract suite needs beyond @kubernetes/client-node's typed calls: raw HTTP for the
 * details the client hides (status codes, Status bodies, content types, malformed bodies), the
 * Status of a failed typed call, watch streams a test can wait on, and polling.
 */
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { request as httpsRequest, type RequestOptions } from "node:https";
import { ApiException, type KubeConfig, type KubernetesObject, Watch } from "@kubernetes/client-node";

export interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  readonly json: unknown;
}

export interface RawRequest {
  /** A JSON value to send, or a string sent as is (malformed bodies). */
  readonly body?: unknown;
  readonly contentType?: string;
  readonly accept?: string;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** One HTTP request to the API server, authenticated as the kubeconfig's current user. */
export async function rawRequest(
  kubeconfig: KubeConfig,
  method: string,
  path: string,
  options: RawRequest = {},
): Promise<RawResponse> {
  const server = kubeconfig.getCurrentCluster()?.server;
  if (!server) throw new Error("the kubeconfig has no current cluster");
  const url = new URL(path, server);
  const requestOptions: RequestOptions = { method, headers: {} };
  await kubeconfig.applyToHTTPSOptions(requestOptions);
  const payload =
    options.body === undefined
      ? undefined
      : typeof options.body === "string"
        ? options.body
        : JSON.stringify(options.body);
  requestOptions.headers = {
    ...requestOptions.headers,
    accept: options.accept ?? "application/json",
    ...(payload !== undefined && {
      "content-type": options.contentType ?? "application/json",
      "content-length": Buffer.byteLength(payload),
    }),
  };
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise<RawResponse>((resolve, reject) => {
    const request = send(url, requestOptions, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("error", reject);
      response.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        resolve({ status: response.statusCode ?? 0, headers: response.headers, text, json: parseJson(text) });
      });
    });
    request.on("error", reject);
    request.setTimeout(10_000, () => request.destroy(new Error(`${method} ${path}: no response within 10 s`)));
    request.end(payload);
  });
}

/** A metav1.Status, as far as the contract looks at it. */
export interface StatusBody {
  readonly kind?: string;
  readonly status?: string;
  readonly reason?: string;
  readonly code?: number;
  readonly message?: string;
  readonly details?: { readonly name?: string; readonly kind?: string };
}

/** The HTTP code and Status body of a typed call that must fail. */
export async function apiFailure(call: Promise<unknown>): Promise<{ code: number; status: StatusBody }> {
  try {
    await call;
  } catch (error) {
    if (!(error instanceof ApiException)) throw error;
    const body: unknown = error.body;
    const status = (typeof body === "string" ? parseJson(body) : body) as StatusBody | undefined;
    return { code: error.code, status: status ?? {} };
  }
  throw new Error("the call succeeded; it was expected to fail");
}

export interface WatchEvent {
  readonly type: string;
  readonly object: KubernetesObject & Record<string, unknown>;
}

/**
 * A watch a test can wait on: it records every event, and how the stream ended (an HTTP error
 * such as 410, a server close, or our own abort).
 */
export class WatchStream {
  readonly events: WatchEvent[] = [];
  /** Set when the stream ends: null for a clean close, else the error. */
  ended: { error: (Error & { statusCode?: number }) | null } | undefined;
  private controller: AbortController | undefined;
  private readonly waiters = new Set<() => void>();

  /**
   * Opens a watch and waits for the response to start (its headers), at most `startMs`: an API
   * server starts the response at once, before it has any event to send.
   */
  static async open(
    kubeconfig: KubeConfig,
    path: string,
    query: Record<string, string | number | boolean | undefined> = {},
    startMs = 3_000,
  ): Promise<WatchStream> {
    const stream = new WatchStream();
    const watch = new Watch(kubeconfig);
    const started = watch.watch(
      path,
      query,
      (type, object: WatchEvent["object"]) => stream.push({ type, object }),
      (error: unknown) => stream.end(error),
    );
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the watch on ${path} did not start within ${startMs} ms`)), startMs);
    });
    try {
      stream.controller = await Promise.race([started, late]);
    } catch (error) {
      void started.then((controller) => controller.abort());
      throw error;
    } finally {
      clearTimeout(timer);
    }
    return stream;
  }

  private push(event: WatchEvent): void {
    this.events.push(event);
    this.notify();
  }

  private end(error: unknown): void {
    const aborted = error instanceof Error && error.name === "AbortError";
    this.ended = { error: error instanceof Error && !aborted ? error : null };
    this.notify();
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  /** Resolves once `done()` holds, checked on every event and at the end of the stream. */
  until<T>(done: () => T | undefined, what: string, timeoutMs = 5_000): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const check = (): void => {
        const result = done();
        if (result === undefined) return;
        settle();
        resolve(result);
      };
      const timer = setTimeout(() => {
        settle();
        reject(new Error(`watch: ${what} did not happen within ${timeoutMs} ms; saw ${this.describe()}`));
      }, timeoutMs);
      const settle = (): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  /** Waits for an event of `type` about `name`, returning it. */
  next(type: string, name: string, timeoutMs?: number): Promise<WatchEvent> {
    return this.until(
      () => this.events.find((event) => event.type === type && event.object.metadata?.name === name),
      `${type} ${name}`,
      timeoutMs,
    );
  }

  /** The `type name` of each event so far. */
  summary(): string[] {
    return this.events.map((event) => `${event.type} ${event.object.metadata?.name ?? ""}`);
  }

  private describe(): string {
    const events = this.summary().join(", ") || "no events";
    return this.ended ? `${events}; ended with ${String(this.ended.error ?? "a clean close")}` : events;
  }

  stop(): void {
    this.controller?.abort();
  }
}

/** Polls `probe` until it returns a value other than undefined. */
export async function eventually<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await probe();
    if (result !== undefined) return result;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
