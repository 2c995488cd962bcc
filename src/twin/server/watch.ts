/**
 * Watch streams: newline-delimited watch events over a chunked response, as the API server sends
 * them. A watch without a resourceVersion starts with the current objects as ADDED; with one, it
 * replays the changes since (or fails with 410 Gone). Selectors apply to transitions as in
 * Kubernetes: an object that stops matching is sent as DELETED, one that starts as ADDED.
 */
import type { ServerResponse } from "node:http";
import { type ResourceType, apiVersionOf } from "../api/resources.ts";
import type { KubeObject, WatchEventType } from "../api/types.ts";
import type { ListOptions, ObjectStore, StoreEvent } from "../store/store.ts";
import { fieldsMatch, labelsMatch } from "../api/selectors.ts";
import { errors } from "../api/status.ts";

export interface WatchRequest {
  readonly resource: ResourceType;
  readonly filter: ListOptions;
  readonly resourceVersion: string | undefined;
  readonly bookmarks: boolean;
  readonly timeoutSeconds: number | undefined;
  readonly sendInitialEvents: boolean;
  /** Wraps each object, e.g. as a one-row Table for `kubectl get -w`. */
  readonly render: (object: KubeObject) => unknown;
}

/** Bookmarks go out this often (wall time) when asked for; the API server sends about one a minute. */
const BOOKMARK_INTERVAL_MS = 5_000;
const DEFAULT_TIMEOUT_SECONDS = 1_800;

function matches(filter: ListOptions, object: KubeObject | undefined): boolean {
  if (!object) return false;
  if (filter.namespace && object.metadata.namespace !== filter.namespace) return false;
  if (filter.labels?.length && !labelsMatch(filter.labels, object.metadata.labels)) return false;
  return !(filter.fields?.length && !fieldsMatch(filter.fields, object));
}

/** The event a watcher with this filter sees for a change, if any. */
function transition(
  filter: ListOptions,
  event: Pick<StoreEvent, "type" | "object" | "old">,
): WatchEventType | undefined {
  const now = matches(filter, event.object);
  const before = event.old !== undefined && matches(filter, event.old);
  if (event.type === "ADDED") return now ? "ADDED" : undefined;
  if (event.type === "DELETED") return now || before ? "DELETED" : undefined;
  if (now && before) return "MODIFIED";
  if (now) return "ADDED";
  return before ? "DELETED" : undefined;
}

/** What a new watch sends first: the current objects, or the changes since its resourceVersion. */
function initialEvents(store: ObjectStore, request: WatchRequest): { type: WatchEventType; object: KubeObject }[] {
  const { resource, filter } = request;
  const rv = request.resourceVersion;
  if (rv === undefined || rv === "" || rv === "0" || request.sendInitialEvents) {
    return store.list(resource, filter).map((object) => ({ type: "ADDED" as const, object }));
  }
  if (!/^\d+$/.test(rv))
    throw errors.badRequest(`resourceVersion: Invalid value: "${rv}": must be a non-negative integer`);
  const events: { type: WatchEventType; object: KubeObject }[] = [];
  for (const change of store.changesSince(resource, Number(rv))) {
    const type = transition(filter, change);
    if (type) events.push({ type, object: change.object });
  }
  return events;
}

export function serveWatch(store: ObjectStore, request: WatchRequest, response: ServerResponse): void {
  const { resource, filter } = request;
  const write = (type: WatchEventType, object: unknown): void => {
    response.write(`${JSON.stringify({ type, object })}\n`);
  };
  // Listing or replaying, then subscribing, happens in one turn of the event loop: no change slips between.
  const initial = initialEvents(store, request);
  response.writeHead(200, {
    "content-type": "application/json",
    "transfer-encoding": "chunked",
    "cache-control": "no-cache",
  });
  // A client waits for the headers before it reports the watch open: send them now, not with the first event.
  response.flushHeaders();
  for (const event of initial) write(event.type, request.render(event.object));
  const bookmark = (): void => {
    write("BOOKMARK", {
      kind: resource.kind,
      apiVersion: apiVersionOf(resource),
      metadata: { resourceVersion: String(store.resourceVersion()) },
    });
  };
  if (request.sendInitialEvents) {
    write("BOOKMARK", {
      kind: resource.kind,
      apiVersion: apiVersionOf(resource),
      metadata: {
        resourceVersion: String(store.resourceVersion()),
        annotations: { "k8s.io/initial-events-end": "true" },
      },
    });
  }
  const unsubscribe = store.subscribe(resource, (event) => {
    const type = transition(filter, event);
    if (type) write(type, request.render(event.object));
  });
  const bookmarks = request.bookmarks ? setInterval(bookmark, BOOKMARK_INTERVAL_MS) : undefined;
  const timeout = setTimeout(() => response.end(), (request.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000);
  const stop = (): void => {
    unsubscribe();
    if (bookmarks) clearInterval(bookmarks);
    clearTimeout(timeout);
  };
  response.on("close", stop);
  response.on("finish", stop);
}
