/**
 * The twin's Kubernetes API over HTTP on 127.0.0.1: discovery, get, list (with selectors and
 * pagination), watch, create, update, patch, delete, status subresources, pod eviction and
 * server-side tables, with metav1.Status errors. It is thin: the store holds the semantics, the
 * simulated controllers the behaviour, and extensions add eviction, computed resources and
 * routes such as /metrics.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { VirtualClock } from "../clock/virtual-clock.ts";
import { type ResourceRegistry, type ResourceType, apiVersionOf, typeKey } from "../api/resources.ts";
import { parseFieldSelector, parseLabelSelector } from "../api/selectors.ts";
import { errors } from "../api/status.ts";
import { type KubeObject, isRecord } from "../api/types.ts";
import { PATCH_CONTENT_TYPES, type PatchType, applyPatch } from "../store/patch.ts";
import type { DeleteOptions, ListOptions, ObjectStore } from "../store/store.ts";
import { type AuditOptions, type AuditRecord, AuditLog, auditRecord } from "./audit.ts";
import { apiGroup, apiGroupList, apiVersions, resourceList } from "./discovery.ts";
import { openApiDocument, openApiIndex } from "./openapi.ts";
import { type ResourcePath, parseResourcePath } from "./paths.ts";
import { integerParam, readBody, readJson, sendError, sendJson, streamJson } from "./request.ts";
import { type IncludeObject, toTable, wantsTable } from "./table.ts";
import { serveWatch } from "./watch.ts";
import { paginate, sortByKey } from "./pagination.ts";

/** Objects computed on read (metrics.k8s.io). */
export interface VirtualResource {
  list(namespace: string | undefined): KubeObject[];
}

export interface Route {
  readonly prefix: string;
  handle(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> | void;
}

export interface ApiExtensions {
  /** POST pods/{name}/eviction: returns normally when the pod may go, throws an ApiError (429) when not. */
  evict?(namespace: string, name: string, body: unknown): void;
  readonly virtual?: ReadonlyMap<string, VirtualResource>;
  readonly routes?: readonly Route[];
  /** Keep an audit trail of resource requests (tests compare it with RBAC); off when unset. */
  readonly audit?: AuditOptions;
}

const HEALTH_PATHS = new Set(["/healthz", "/livez", "/readyz"]);

const VERSION = { major: "1", minor: "32", gitVersion: "v1.32.0-kubedrs-twin", platform: "linux/amd64" };

interface Context {
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  readonly url: URL;
  readonly path: ResourcePath;
}

export class ApiServer {
  private readonly server: Server;
  private readonly registry: ResourceRegistry;
  private readonly store: ObjectStore;
  private readonly clock: VirtualClock;
  private readonly extensions: ApiExtensions;
  private readonly auditLog: AuditLog | undefined;
  private address = "127.0.0.1:0";

  constructor(registry: ResourceRegistry, store: ObjectStore, clock: VirtualClock, extensions: ApiExtensions = {}) {
    this.registry = registry;
    this.store = store;
    this.clock = clock;
    this.extensions = extensions;
    this.auditLog = extensions.audit ? new AuditLog(extensions.audit) : undefined;
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => sendError(response, error));
    });
    this.server.keepAliveTimeout = 60_000;
  }

  async listen(port = 0, host = "127.0.0.1"): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, host, () => resolve());
    });
    const info = this.server.address() as AddressInfo;
    this.address = `${info.address}:${info.port}`;
    return info;
  }

  /** Cuts every open connection, watches included, and keeps serving: a network blip, for tests. */
  dropConnections(): void {
    this.server.closeAllConnections();
  }

  /** The resource requests received, oldest first (empty unless the server was made with `audit`). */
  audit(): readonly AuditRecord[] {
    return this.auditLog?.entries() ?? [];
  }

  /** Forgets the requests recorded so far. */
  clearAudit(): void {
    this.auditLog?.clear();
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", "http://twin");
    if (this.serveStatic(url.pathname, response)) return;
    const route = this.extensions.routes?.find((candidate) => url.pathname.startsWith(candidate.prefix));
    if (route) return route.handle(request, response, url);
    const path = parseResourcePath(this.registry, url.pathname);
    if (!path) throw errors.pathNotFound(url.pathname);
    if (this.auditLog) this.recordAudit(request, url, path);
    await this.serveResource({ request, response, url, path });
  }

  private recordAudit(request: IncomingMessage, url: URL, path: ResourcePath): void {
    // A path naming a subresource the resource lacks is one the twin cannot read (namespaces/x/secrets).
    if (path.subresource && !path.resource.subresources.includes(path.subresource)) return;
    const entry = auditRecord(request.method ?? "GET", path, url, request.headers["user-agent"]);
    if (entry) this.auditLog?.record(entry);
  }

  /** Discovery, OpenAPI and version: documents that do not address a resource (null: no such document). */
  private staticDocument(path: string): unknown {
    const fixed: Record<string, () => unknown> = {
      "/version": () => VERSION,
      "/openapi/v3": () => openApiIndex(this.registry),
      "/api": () => apiVersions(this.address),
      "/apis": () => apiGroupList(this.registry),
    };
    const known = fixed[path];
    if (known) return known();
    if (path.startsWith("/openapi/v3/"))
      return openApiDocument(this.registry, path.slice("/openapi/v3/".length)) ?? null;
    return this.discoveryDocument(path.split("/").filter(Boolean));
  }

  private discoveryDocument(segments: readonly string[]): unknown {
    const [root, second = "", third = ""] = segments;
    if (root === "api" && segments.length === 2) return resourceList(this.registry, "", second) ?? null;
    if (root !== "apis") return undefined;
    if (segments.length === 2) return apiGroup(this.registry, second) ?? null;
    if (segments.length === 3) return resourceList(this.registry, second, third) ?? null;
    return undefined;
  }

  private serveStatic(pathname: string, response: ServerResponse): boolean {
    const path = pathname.replace(/\/+$/, "") || "/";
    if (HEALTH_PATHS.has(path)) {
      response.writeHead(200, { "content-type": "text/plain" });
      response.end("ok");
      return true;
    }
    const body = this.staticDocument(path);
    if (body === undefined) return false;
    if (body === null) throw errors.pathNotFound(pathname);
    sendJson(response, 200, body);
    return true;
  }

  private async serveResource(context: Context): Promise<void> {
    const { request, path } = context;
    const method = request.method ?? "GET";
    if (path.resource.virtual) return this.serveVirtual(context, method);
    if (path.subresource && !path.resource.subresources.includes(path.subresource))
      throw errors.pathNotFound(context.url.pathname);
    const handler = this.handlerFor(method, path);
    if (!handler) throw errors.methodNotAllowed(method, context.url.pathname);
    await handler(context);
  }

  private handlerFor(method: string, path: ResourcePath): ((context: Context) => Promise<void> | void) | undefined {
    switch (method) {
      case "GET":
        return path.name ? (context) => this.get(context) : (context) => this.listOrWatch(context);
      case "POST":
        return path.subresource === "eviction" ? (context) => this.evict(context) : (context) => this.create(context);
      case "PUT":
        return (context) => this.replace(context);
      case "PATCH":
        return (context) => this.patch(context);
      case "DELETE":
        return path.name ? (context) => this.remove(context) : (context) => this.removeCollection(context);
      default:
        return undefined;
    }
  }

  private filterOf(context: Context): ListOptions {
    const params = context.url.searchParams;
    const fields = ["metadata.name", "metadata.namespace", ...context.path.resource.fields];
    return {
      namespace: context.path.namespace,
      labels: parseLabelSelector(params.get("labelSelector")),
      fields: parseFieldSelector(params.get("fieldSelector"), fields),
    };
  }

  private includeObject(context: Context): IncludeObject {
    const value = context.url.searchParams.get("includeObject");
    return value === "None" || value === "Object" ? value : "Metadata";
  }

  private renderOne(context: Context, object: KubeObject): unknown {
    if (!wantsTable(context.request.headers.accept)) return object;
    return toTable(context.path.resource, [object], {
      now: this.clock.now(),
      include: this.includeObject(context),
      resourceVersion: object.metadata.resourceVersion ?? "",
    });
  }

  private get(context: Context): void {
    const { resource, namespace, name } = context.path;
    sendJson(context.response, 200, this.renderOne(context, this.store.mustGet(resource, namespace, name ?? "")));
  }

  private listOrWatch(context: Context): Promise<void> | void {
    const params = context.url.searchParams;
    const filter = this.filterOf(context);
    if (params.get("watch") === "true" || params.get("watch") === "1") {
      serveWatch(
        this.store,
        {
          resource: context.path.resource,
          filter,
          resourceVersion: params.get("resourceVersion") ?? undefined,
          bookmarks: params.get("allowWatchBookmarks") === "true",
          timeoutSeconds: integerParam(params, "timeoutSeconds"),
          sendInitialEvents: params.get("sendInitialEvents") === "true",
          render: (object) => this.renderOne(context, object),
        },
        context.response,
      );
      return;
    }
    return this.list(context, filter);
  }

  private list(context: Context, filter: ListOptions): Promise<void> {
    const { resource } = context.path;
    const params = context.url.searchParams;
    const all = this.store.list(resource, filter);
    const {
      items: page,
      continueToken,
      remaining,
    } = paginate(all, integerParam(params, "limit"), params.get("continue"));
    const resourceVersion = String(this.store.resourceVersion());
    if (wantsTable(context.request.headers.accept)) {
      const table = toTable(resource, page, {
        now: this.clock.now(),
        include: this.includeObject(context),
        resourceVersion,
        continueToken,
      });
      return streamJson(context.response, table, "rows");
    }
    const list = {
      kind: `${resource.kind}List`,
      apiVersion: apiVersionOf(resource),
      metadata: { resourceVersion, ...(continueToken && { continue: continueToken, remainingItemCount: remaining }) },
    };
    return streamJson(context.response, { ...list, items: page }, "items");
  }

  private async bodyObject(context: Context): Promise<KubeObject> {
    // The twin speaks JSON only; client-go answers a 415 to protobuf by sending JSON.
    const contentType = (context.request.headers["content-type"] ?? "application/json").split(";")[0]?.trim() ?? "";
    if (contentType !== "application/json" && contentType !== "") throw errors.unsupportedMediaType(contentType);
    const body = await readJson(context.request);
    if (!isRecord(body) || !isRecord(body.metadata ?? {}))
      throw errors.badRequest("the request body must be a JSON object");
    const object = body as unknown as KubeObject;
    object.metadata ??= {};
    checkBody(context.path.resource, object);
    return object;
  }

  private dryRun(context: Context): boolean {
    return context.url.searchParams.getAll("dryRun").includes("All");
  }

  private async create(context: Context): Promise<void> {
    const { resource, namespace } = context.path;
    const object = await this.bodyObject(context);
    if (resource.namespaced && namespace) {
      if (object.metadata.namespace && object.metadata.namespace !== namespace) {
        throw errors.badRequest(
          "the namespace of the provided object does not match the namespace sent on the request",
        );
      }
      object.metadata.namespace = namespace;
    }
    resetStatusOnCreate(resource, object);
    const created = this.store.create(resource, object, { dryRun: this.dryRun(context), actor: "api" });
    sendJson(context.response, 201, created);
  }

  private async replace(context: Context): Promise<void> {
    const { resource, namespace, name, subresource } = context.path;
    const object = await this.bodyObject(context);
    if (object.metadata.name && object.metadata.name !== name)
      throw errors.badRequest("the name of the object does not match the name on the URL");
    object.metadata.name = name;
    if (resource.namespaced) object.metadata.namespace = namespace;
    const updated = this.store.update(resource, object, {
      dryRun: this.dryRun(context),
      actor: "api",
      ...(subresource === "status" && { subresource: "status" as const }),
    });
    sendJson(context.response, 200, updated);
  }

  private async patchBody(context: Context): Promise<{ patchType: PatchType; body: unknown }> {
    const contentType = (context.request.headers["content-type"] ?? "").split(";")[0]?.trim() ?? "";
    const patchType = PATCH_CONTENT_TYPES[contentType];
    if (!patchType) throw errors.unsupportedMediaType(contentType || "<none>");
    const text = await readBody(context.request);
    try {
      return { patchType, body: JSON.parse(text) as unknown };
    } catch (error) {
      throw errors.badRequest(`invalid patch: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private async patch(context: Context): Promise<void> {
    const { resource, namespace, name, subresource } = context.path;
    const { patchType, body } = await this.patchBody(context);
    const current = this.store.mustGet(resource, namespace, name ?? "");
    const patched = applyPatch(resource, current, patchType, body) as KubeObject;
    if (!isRecord(patched) || !isRecord(patched.metadata))
      throw errors.badRequest("the patch removed the object's metadata");
    if (patched.metadata.name !== current.metadata.name || patched.metadata.namespace !== current.metadata.namespace) {
      throw errors.badRequest("the name and namespace of the object cannot be changed by a patch");
    }
    patched.metadata.resourceVersion ??= current.metadata.resourceVersion;
    const updated = this.store.update(resource, patched, {
      dryRun: this.dryRun(context),
      actor: "api",
      ...(subresource === "status" && { subresource: "status" as const }),
    });
    sendJson(context.response, 200, updated);
  }

  private async deleteOptions(context: Context): Promise<DeleteOptions> {
    const body = await readJson(context.request);
    const params = context.url.searchParams;
    const options = isRecord(body) ? body : {};
    const policy = params.get("propagationPolicy") ?? options.propagationPolicy;
    const preconditions = isRecord(options.preconditions) ? options.preconditions : {};
    return {
      gracePeriodSeconds: integerParam(params, "gracePeriodSeconds") ?? numberOrUndefined(options.gracePeriodSeconds),
      propagationPolicy: policy === "Orphan" || policy === "Foreground" || policy === "Background" ? policy : undefined,
      preconditionUid: stringOrUndefined(preconditions.uid),
      preconditionResourceVersion: stringOrUndefined(preconditions.resourceVersion),
      dryRun: this.dryRun(context) || (Array.isArray(options.dryRun) && options.dryRun.includes("All")),
      actor: "api",
    };
  }

  private async remove(context: Context): Promise<void> {
    const { resource, namespace, name } = context.path;
    const deleted = this.store.delete(resource, namespace, name ?? "", await this.deleteOptions(context));
    sendJson(context.response, 200, deleted);
  }

  private async removeCollection(context: Context): Promise<void> {
    const { resource } = context.path;
    const options = await this.deleteOptions(context);
    const items = this.store
      .list(resource, this.filterOf(context))
      .map((object) => this.store.delete(resource, object.metadata.namespace, object.metadata.name ?? "", options));
    sendJson(context.response, 200, {
      kind: `${resource.kind}List`,
      apiVersion: apiVersionOf(resource),
      metadata: {},
      items,
    });
  }

  private async evict(context: Context): Promise<void> {
    const { namespace, name } = context.path;
    const body = await readJson(context.request);
    const pod = this.store.mustGet(context.path.resource, namespace, name ?? "");
    if (this.extensions.evict) this.extensions.evict(namespace ?? "", name ?? "", body);
    else this.store.delete(context.path.resource, pod.metadata.namespace, pod.metadata.name ?? "", { actor: "api" });
    sendJson(context.response, 201, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 201 });
  }

  private serveVirtual(context: Context, method: string): void {
    if (method !== "GET") throw errors.methodNotAllowed(method, context.url.pathname);
    const { resource, namespace, name } = context.path;
    const source = this.extensions.virtual?.get(typeKey(resource));
    const items = sortByKey(source?.list(namespace) ?? []);
    if (name) {
      const found = items.find((item) => item.metadata.name === name);
      if (!found) throw errors.notFound({ group: resource.group, kind: resource.kind, plural: resource.plural, name });
      sendJson(context.response, 200, found);
      return;
    }
    sendJson(context.response, 200, {
      kind: `${resource.kind}List`,
      apiVersion: apiVersionOf(resource),
      metadata: {},
      items,
    });
  }
}

function numberOrUndefined(value: unknown): number | undefined {
  return typeof value === "number" ? value : undefined;
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** What the API server refuses before it looks at the object: names that are not strings, labels that are not maps, the wrong kind. */
function checkBody(resource: ResourceType, object: KubeObject): void {
  const meta = object.metadata;
  if (meta.name !== undefined && typeof meta.name !== "string")
    throw errors.badRequest("metadata.name must be a string");
  for (const field of ["labels", "annotations"] as const) {
    const map: unknown = meta[field];
    if (map !== undefined && (!isRecord(map) || Object.values(map).some((value) => typeof value !== "string"))) {
      throw errors.badRequest(`metadata.${field} must be a map of strings`);
    }
  }
  if (object.kind !== undefined && object.kind !== resource.kind) {
    throw errors.badRequest(
      `the kind of the object (${String(object.kind)}) does not match the resource (${resource.kind})`,
    );
  }
  if (object.apiVersion !== undefined && object.apiVersion !== apiVersionOf(resource)) {
    throw errors.badRequest(
      `the API version in the data (${String(object.apiVersion)}) does not match the expected API version (${apiVersionOf(resource)})`,
    );
  }
}

/**
 * What a real API server does with the status a create sends: a pod starts Pending (the Pod
 * strategy's PrepareForCreate), a custom resource with a status subresource starts without one;
 * nodes keep theirs (the Node strategy allows it).
 */
function resetStatusOnCreate(resource: ResourceType, object: KubeObject): void {
  if (resource.group === "" && resource.plural === "pods") object.status = { phase: "Pending" };
  else if (resource.group !== "" && resource.subresources.includes("status")) delete object.status;
}
