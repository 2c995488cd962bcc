/**
 * Run-time control of a twin, over HTTP next to its Kubernetes API:
 *
 *   GET  /twin/v1/status   virtual time, speed, the hosts' truth, split-brains, object counts
 *   GET  /twin/v1/clock    virtual time and speed only: cheap enough for a client to poll
 *   GET  /twin/v1/log      the event log (?since=N&limit=M; ?format=text for plain lines)
 *   POST /twin/v1/events   inject an event (the scenario's event schema, without `at`), now
 *
 * The routes exist before the twin does (Twin.create takes them), so the twin is attached after.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Rng } from "../../core/numeric/rng.ts";
import { errors } from "../api/status.ts";
import type { TwinRuntime } from "../runtime/runtime.ts";
import type { AppliedScenario } from "../scenario/index.ts";
import type { Route } from "../server/api-server.ts";
import { integerParam, readJson, sendJson } from "../server/request.ts";
import { injectEvent, parseInjectedEvent } from "./inject.ts";
import { RunStats } from "./run-stats.ts";
import { CONTROL_API_VERSION, type TwinStatus, twinStatus } from "./status.ts";

export const CONTROL_PREFIX = "/twin/v1/";

interface Attached {
  readonly runtime: TwinRuntime;
  readonly stats: RunStats;
  /** One stream for every injected event, so the same injections replay the same choices. */
  readonly rng: Rng;
  speed: number;
  scenario: AppliedScenario | undefined;
}

type Handler = (
  attached: Attached,
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
) => Promise<void> | void;

export class TwinControl {
  private attached: Attached | undefined;
  readonly routes: readonly Route[];

  constructor() {
    this.routes = [{ prefix: CONTROL_PREFIX, handle: (request, response, url) => this.handle(request, response, url) }];
  }

  /** Starts counting (so attach before applying the scenario); `speed` is 0 until paced. */
  attach(runtime: TwinRuntime, speed = 0): void {
    this.attached?.stats.stop();
    this.attached = { runtime, stats: new RunStats(runtime), rng: runtime.rng("control"), speed, scenario: undefined };
  }

  describe(scenario: AppliedScenario): void {
    this.mustBeAttached().scenario = scenario;
  }

  status(): TwinStatus {
    return statusOf(this.mustBeAttached());
  }

  private mustBeAttached(): Attached {
    if (!this.attached) throw errors.internal("the twin's control is not attached to a twin yet");
    return this.attached;
  }

  private handle(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> | void {
    const method = request.method ?? "GET";
    const handler = HANDLERS[`${method} ${url.pathname.replace(/\/+$/, "")}`];
    if (handler) return handler(this.mustBeAttached(), request, response, url);
    const known = Object.keys(HANDLERS).some((key) => key.endsWith(` ${url.pathname.replace(/\/+$/, "")}`));
    throw known ? errors.methodNotAllowed(method, url.pathname) : errors.pathNotFound(url.pathname);
  }
}

function statusOf(attached: Attached): TwinStatus {
  return twinStatus({ ...attached, migrations: attached.stats.migrations() });
}

function serveStatus(attached: Attached, _request: IncomingMessage, response: ServerResponse): void {
  sendJson(response, 200, statusOf(attached));
}

function serveLog(attached: Attached, _request: IncomingMessage, response: ServerResponse, url: URL): void {
  const lines = attached.runtime.log.lines();
  const since = Math.max(0, integerParam(url.searchParams, "since") ?? 0);
  const limit = integerParam(url.searchParams, "limit");
  const page = lines.slice(since, limit === undefined ? undefined : since + Math.max(0, limit));
  if (url.searchParams.get("format") === "text") {
    const text = page.map((line) => `${line}\n`).join("");
    response.writeHead(200, { "content-type": "text/plain; charset=utf-8", "content-length": Buffer.byteLength(text) });
    response.end(text);
    return;
  }
  sendJson(response, 200, {
    apiVersion: CONTROL_API_VERSION,
    kind: "TwinLog",
    total: lines.length,
    since,
    lines: page,
  });
}

async function serveInject(attached: Attached, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const event = parseInjectedEvent(await readJson(request));
  sendJson(response, 201, injectEvent(attached.runtime, attached.rng, event));
}

/** What a controller on the twin's clock reads (src/controller/clock.ts), without status's per-host counts. */
function serveClock(attached: Attached, _request: IncomingMessage, response: ServerResponse): void {
  const { clock } = attached.runtime;
  sendJson(response, 200, {
    apiVersion: CONTROL_API_VERSION,
    kind: "TwinClock",
    time: clock.nowIso(),
    speed: attached.speed,
  });
}

const HANDLERS: Readonly<Record<string, Handler>> = {
  "GET /twin/v1/status": serveStatus,
  "GET /twin/v1/clock": serveClock,
  "GET /twin/v1/log": serveLog,
  "POST /twin/v1/events": serveInject,
};
