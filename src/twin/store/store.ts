/**
 * The twin's object store: what etcd and the API server's registry do together. One global
 * resourceVersion counter; optimistic concurrency; status subresources; graceful deletion of
 * pods; finalizers; admission hooks (KubeVirt's webhooks live there); and a watch log per
 * resource, so watches resume from a resourceVersion or get 410 Gone.
 *
 * Stored objects are never mutated: every write stores a fresh copy, so an object handed to a
 * reader or a watch stays as it was. Watch events are dispatched after the write that caused them,
 * in order, so a listener that writes in turn never re-enters the store.
 */
import type { Rng } from "../../core/numeric/rng.ts";
import type { VirtualClock } from "../clock/virtual-clock.ts";
import { type FieldRequirement, fieldsMatch, labelsMatch } from "../api/selectors.ts";
import { type ResourceType, apiVersionOf, typeKey } from "../api/resources.ts";
import { errors } from "../api/status.ts";
import { type KubeObject, type WatchEventType, objectKey } from "../api/types.ts";
import type { SelectorRequirement } from "../../core/model/selectors.ts";
import { metadataProblems } from "../api/validation.ts";
import { EventLog } from "./event-log.ts";
import { nameSuffix, uuid } from "./uid.ts";
import { cloneJson } from "../api/json-clone.ts";
import { jsonEqual } from "../api/json-equal.ts";

export interface WriteOptions {
  readonly dryRun?: boolean;
  /** Who writes: "api" for requests over HTTP, else the twin component (admission may care). */
  readonly actor?: string;
}

export interface DeleteOptions extends WriteOptions {
  readonly gracePeriodSeconds?: number | undefined;
  readonly preconditionUid?: string | undefined;
  readonly preconditionResourceVersion?: string | undefined;
  readonly propagationPolicy?: "Orphan" | "Background" | "Foreground" | undefined;
}

export interface ListOptions {
  readonly namespace?: string | undefined;
  readonly labels?: readonly SelectorRequirement[];
  readonly fields?: readonly FieldRequirement[];
}

export interface StoreEvent {
  readonly type: Exclude<WatchEventType, "BOOKMARK" | "ERROR">;
  readonly resource: ResourceType;
  readonly object: KubeObject;
  /** The object before the change, for MODIFIED and DELETED. */
  readonly old: KubeObject | undefined;
}

export type StoreListener = (event: StoreEvent) => void;

/** Admission: may change the object being written (mutating) or throw an ApiError (validating). */
export interface AdmissionHook {
  create?(object: KubeObject, options: WriteOptions): void;
  update?(object: KubeObject, old: KubeObject, options: WriteOptions): void;
  delete?(object: KubeObject, options: DeleteOptions): void;
}

/** How many changes per resource a watch can resume across (etcd's history before compaction). */
export const WATCH_HISTORY = 20_000;

const DEFAULT_POD_GRACE_SECONDS = 30;

/** Set on an object deleted with propagationPolicy Orphan: the garbage collector leaves its dependents. */
export const ORPHAN_ANNOTATION = "twin.kubedrs.io/orphan-dependents";

/**
 * Stored objects are never mutated: writes make new versions, which may share unchanged parts
 * with the versions before. With KUBEDRS_TWIN_FREEZE=1 (the test suite sets it) every
 * stored object is deep-frozen, so code that changes one in place fails loudly.
 */
const FREEZE_STORED = process.env.KUBEDRS_TWIN_FREEZE === "1";

function deepFreeze(value: unknown): void {
  if (typeof value !== "object" || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const child of Object.values(value)) deepFreeze(child);
}

/** Equal but for the bookkeeping the store itself sets. */
function sameContent(object: KubeObject, old: KubeObject): boolean {
  const { resourceVersion: _a, generation: _b, ...meta } = object.metadata;
  const { resourceVersion: _c, generation: _d, ...oldMeta } = old.metadata;
  const { metadata: _e, ...rest } = object;
  const { metadata: _f, ...oldRest } = old;
  return jsonEqual(meta, oldMeta) && jsonEqual(rest, oldRest);
}

export class ObjectStore {
  private rv = 1;
  private readonly tables = new Map<string, Map<string, KubeObject>>();
  private readonly logs = new Map<string, EventLog>();
  private readonly listeners = new Map<string, Set<StoreListener>>();
  private readonly anyListeners = new Set<StoreListener>();
  private readonly hooks = new Map<string, AdmissionHook[]>();
  private readonly pending: StoreEvent[] = [];
  private dispatching = false;
  private readonly clock: VirtualClock;
  private readonly rng: Rng;

  constructor(clock: VirtualClock, rng: Rng) {
    this.clock = clock;
    this.rng = rng;
  }

  resourceVersion(): number {
    return this.rv;
  }

  private table(resource: ResourceType): Map<string, KubeObject> {
    const key = typeKey(resource);
    let table = this.tables.get(key);
    if (!table) {
      table = new Map();
      this.tables.set(key, table);
    }
    return table;
  }

  /** The resourceVersion of the latest change to any object of the resource (0 before any). */
  resourceVersionOf(resource: ResourceType): number {
    return this.log(resource).latest;
  }

  private log(resource: ResourceType): EventLog {
    const key = typeKey(resource);
    let log = this.logs.get(key);
    if (!log) {
      log = new EventLog(WATCH_HISTORY);
      this.logs.set(key, log);
    }
    return log;
  }

  admit(resource: ResourceType, hook: AdmissionHook): void {
    const key = typeKey(resource);
    this.hooks.set(key, [...(this.hooks.get(key) ?? []), hook]);
  }

  private hooksFor(resource: ResourceType): readonly AdmissionHook[] {
    return this.hooks.get(typeKey(resource)) ?? [];
  }

  /** Listens to every change of one resource (or of all, when `resource` is undefined). */
  subscribe(resource: ResourceType | undefined, listener: StoreListener): () => void {
    if (!resource) {
      this.anyListeners.add(listener);
      return () => this.anyListeners.delete(listener);
    }
    const key = typeKey(resource);
    let set = this.listeners.get(key);
    if (!set) {
      set = new Set();
      this.listeners.set(key, set);
    }
    set.add(listener);
    return () => set.delete(listener);
  }

  private record(
    type: StoreEvent["type"],
    resource: ResourceType,
    object: KubeObject,
    old: KubeObject | undefined,
  ): void {
    this.log(resource).append({ rv: this.rv, type, object, old });
    this.pending.push({ type, resource, object, old });
    this.dispatch();
  }

  private dispatch(): void {
    if (this.dispatching) return;
    this.dispatching = true;
    try {
      for (let event = this.pending.shift(); event; event = this.pending.shift()) {
        for (const listener of this.listeners.get(typeKey(event.resource)) ?? []) listener(event);
        for (const listener of this.anyListeners) listener(event);
      }
    } finally {
      this.dispatching = false;
    }
  }

  private target(
    resource: ResourceType,
    name: string | undefined,
  ): { group: string; kind: string; plural: string; name: string | undefined } {
    return { group: resource.group, kind: resource.kind, plural: resource.plural, name };
  }

  get(resource: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.table(resource).get(objectKey(resource.namespaced ? namespace : undefined, name));
  }

  mustGet(resource: ResourceType, namespace: string | undefined, name: string): KubeObject {
    const found = this.get(resource, namespace, name);
    if (!found) throw errors.notFound(this.target(resource, name));
    return found;
  }

  list(resource: ResourceType, options: ListOptions = {}): KubeObject[] {
    const items: KubeObject[] = [];
    for (const object of this.table(resource).values()) {
      if (options.namespace && object.metadata.namespace !== options.namespace) continue;
      if (options.labels?.length && !labelsMatch(options.labels, object.metadata.labels)) continue;
      if (options.fields?.length && !fieldsMatch(options.fields, object)) continue;
      items.push(object);
    }
    return items;
  }

  count(resource: ResourceType): number {
    return this.table(resource).size;
  }

  /** Changes after `rv` for a resuming watch; throws 410 Gone when they are no longer retained. */
  changesSince(
    resource: ResourceType,
    rv: number,
  ): { type: StoreEvent["type"]; object: KubeObject; old: KubeObject | undefined }[] {
    const events = this.log(resource).since(rv);
    if (!events) throw errors.gone(`too old resource version: ${rv} (${this.rv})`);
    return events;
  }

  /** Drops the watch history up to now, as etcd compaction does (for tests of 410 handling). */
  compact(): void {
    for (const log of this.logs.values()) log.compact(this.rv);
  }

  private prepareNew(resource: ResourceType, input: KubeObject): KubeObject {
    const object = cloneJson(input);
    object.apiVersion = apiVersionOf(resource);
    object.kind = resource.kind;
    const meta = object.metadata;
    if (!meta.name && meta.generateName) meta.name = `${meta.generateName}${nameSuffix(this.rng)}`;
    if (!meta.name)
      throw errors.invalid(this.target(resource, ""), [
        { field: "metadata.name", message: "Required value: name or generateName is required" },
      ]);
    if (resource.namespaced && !meta.namespace) meta.namespace = "default";
    if (!resource.namespaced) delete meta.namespace;
    const causes = metadataProblems(object, resource.plural === "namespaces" && resource.group === "");
    if (causes.length > 0) throw errors.invalid(this.target(resource, meta.name), causes);
    meta.uid = uuid(this.rng);
    meta.creationTimestamp = this.clock.nowIso();
    meta.generation = 1;
    delete meta.deletionTimestamp;
    delete meta.resourceVersion;
    return object;
  }

  create(resource: ResourceType, input: KubeObject, options: WriteOptions = {}): KubeObject {
    const object = this.prepareNew(resource, input);
    const name = object.metadata.name ?? "";
    if (resource.namespaced && !this.namespaceExists(object.metadata.namespace)) {
      throw errors.notFound({ group: "", kind: "Namespace", plural: "namespaces", name: object.metadata.namespace });
    }
    for (const hook of this.hooksFor(resource)) hook.create?.(object, options);
    const key = objectKey(object.metadata.namespace, name);
    if (this.table(resource).has(key)) throw errors.alreadyExists(this.target(resource, name));
    if (options.dryRun) return object;
    this.rv += 1;
    object.metadata.resourceVersion = String(this.rv);
    this.keep(resource, key, object);
    this.record("ADDED", resource, object, undefined);
    return object;
  }

  private namespaceExists(namespace: string | undefined): boolean {
    const table = this.tables.get("namespaces");
    return namespace !== undefined && (table?.has(namespace) ?? false);
  }

  /**
   * Replaces an object. `status` writes only the status (the status subresource); a plain update
   * keeps the stored status when the resource has a status subresource, as the API server does.
   */
  update(
    resource: ResourceType,
    input: KubeObject,
    options: WriteOptions & { subresource?: "status" } = {},
  ): KubeObject {
    return this.write(resource, cloneJson(input), options);
  }

  /** `input` is the store's to keep: a fresh draft nobody else holds. */
  private write(
    resource: ResourceType,
    input: KubeObject,
    options: WriteOptions & { subresource?: "status" },
  ): KubeObject {
    const name = input.metadata.name ?? "";
    const key = objectKey(resource.namespaced ? (input.metadata.namespace ?? "default") : undefined, name);
    const old = this.table(resource).get(key);
    if (!old) throw errors.notFound(this.target(resource, name));
    this.checkPreconditions(resource, input, old);
    const object = this.merged(resource, old, input, options.subresource);
    for (const hook of this.hooksFor(resource)) hook.update?.(object, old, options);
    if (options.dryRun) return object;
    // Like the API server, a write that changes nothing is not a write: no new version, no event.
    if (!object.metadata.deletionTimestamp && sameContent(object, old)) return old;
    return this.commit(resource, key, object, old);
  }

  /** Optimistic concurrency: a write must name the version it read (if any) and the same UID. */
  private checkPreconditions(resource: ResourceType, input: KubeObject, old: KubeObject): void {
    const sent = input.metadata.resourceVersion;
    if (sent !== undefined && sent !== "" && sent !== old.metadata.resourceVersion) {
      throw errors.conflict(
        this.target(resource, old.metadata.name),
        "the object has been modified; please apply your changes to the latest version and try again",
      );
    }
    this.checkUid(resource, old, input.metadata.uid);
  }

  private checkVersion(resource: ResourceType, old: KubeObject, version: string | undefined): void {
    if (!version || version === old.metadata.resourceVersion) return;
    throw errors.conflict(
      this.target(resource, old.metadata.name),
      `Precondition failed: ResourceVersion in precondition: ${version}, ResourceVersion in object meta: ${old.metadata.resourceVersion ?? ""}`,
    );
  }

  private checkUid(resource: ResourceType, old: KubeObject, uid: string | undefined): void {
    if (!uid || uid === old.metadata.uid) return;
    throw errors.conflict(
      this.target(resource, old.metadata.name),
      `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${old.metadata.uid ?? ""}`,
    );
  }

  private merged(
    resource: ResourceType,
    old: KubeObject,
    object: KubeObject,
    subresource: "status" | undefined,
  ): KubeObject {
    object.apiVersion = old.apiVersion;
    object.kind = old.kind;
    const meta = object.metadata;
    meta.uid = old.metadata.uid;
    meta.name = old.metadata.name;
    meta.namespace = old.metadata.namespace;
    meta.creationTimestamp = old.metadata.creationTimestamp;
    if (old.metadata.deletionTimestamp) meta.deletionTimestamp = old.metadata.deletionTimestamp;
    if (old.metadata.deletionGracePeriodSeconds !== undefined)
      meta.deletionGracePeriodSeconds = old.metadata.deletionGracePeriodSeconds;
    if (!resource.namespaced) delete meta.namespace;
    const hasStatus = resource.subresources.includes("status");
    // Stored objects are never mutated, so the new version may share the parts it keeps.
    if (subresource === "status") {
      const fresh: KubeObject = { ...old, metadata: { ...old.metadata } };
      if (object.status === undefined) delete fresh.status;
      else fresh.status = object.status;
      return fresh;
    }
    if (hasStatus) {
      if (old.status === undefined) delete object.status;
      else object.status = old.status;
    }
    meta.generation = (old.metadata.generation ?? 1) + (jsonEqual(object.spec, old.spec) ? 0 : 1);
    return object;
  }

  /** Stores a changed object; an object being deleted whose last finalizer went is removed. */
  private commit(resource: ResourceType, key: string, object: KubeObject, old: KubeObject): KubeObject {
    this.rv += 1;
    object.metadata.resourceVersion = String(this.rv);
    if (
      object.metadata.deletionTimestamp &&
      (object.metadata.finalizers ?? []).length === 0 &&
      !this.awaitsKubelet(resource, object)
    ) {
      this.table(resource).delete(key);
      this.record("DELETED", resource, object, old);
      return object;
    }
    this.keep(resource, key, object);
    this.record("MODIFIED", resource, object, old);
    return object;
  }

  private keep(resource: ResourceType, key: string, object: KubeObject): void {
    if (FREEZE_STORED) deepFreeze(object);
    this.table(resource).set(key, object);
  }

  /** A pod bound to a node is gone only when its kubelet says so (or it is force-deleted). */
  private awaitsKubelet(resource: ResourceType, object: KubeObject): boolean {
    return (
      resource.plural === "pods" &&
      resource.group === "" &&
      Boolean(object.spec?.nodeName) &&
      (object.metadata.deletionGracePeriodSeconds ?? 0) > 0
    );
  }

  /** Reads, changes and writes back the latest version; `change` returns false to skip the write. */
  mutate(
    resource: ResourceType,
    ref: { readonly namespace?: string | undefined; readonly name: string },
    change: (object: KubeObject) => boolean | void,
    options: WriteOptions & { subresource?: "status" } = {},
  ): KubeObject | undefined {
    const current = this.get(resource, ref.namespace, ref.name);
    if (!current) return undefined;
    const draft = cloneJson(current);
    if (change(draft) === false) return current;
    return this.write(resource, draft, options);
  }

  delete(resource: ResourceType, namespace: string | undefined, name: string, options: DeleteOptions = {}): KubeObject {
    const key = objectKey(resource.namespaced ? namespace : undefined, name);
    const old = this.table(resource).get(key);
    if (!old) throw errors.notFound(this.target(resource, name));
    this.checkUid(resource, old, options.preconditionUid);
    this.checkVersion(resource, old, options.preconditionResourceVersion);
    for (const hook of this.hooksFor(resource)) hook.delete?.(old, options);
    if (options.dryRun) return old;
    const object = cloneJson(old);
    if (options.propagationPolicy === "Orphan") {
      object.metadata.annotations = { ...object.metadata.annotations, [ORPHAN_ANNOTATION]: "true" };
    }
    const grace = this.gracePeriod(resource, old, options);
    if ((object.metadata.finalizers ?? []).length === 0 && grace === 0)
      return this.removeNow(resource, key, object, old);
    return this.markDeleting(resource, key, object, { old, grace });
  }

  private removeNow(resource: ResourceType, key: string, object: KubeObject, old: KubeObject): KubeObject {
    this.rv += 1;
    object.metadata.resourceVersion = String(this.rv);
    this.table(resource).delete(key);
    this.record("DELETED", resource, object, old);
    return object;
  }

  /** Sets the deletion timestamp; finalizers (or the kubelet, for a pod) finish the deletion. */
  private markDeleting(
    resource: ResourceType,
    key: string,
    object: KubeObject,
    { old, grace }: { old: KubeObject; grace: number },
  ): KubeObject {
    object.metadata.deletionTimestamp ??= this.clock.nowIso();
    if (grace > 0 || old.metadata.deletionGracePeriodSeconds !== undefined) {
      object.metadata.deletionGracePeriodSeconds = Math.min(grace, old.metadata.deletionGracePeriodSeconds ?? grace);
    }
    return this.commit(resource, key, object, old);
  }

  /** Pods on a node are deleted gracefully; a grace period of 0 forces them out at once. */
  private gracePeriod(resource: ResourceType, object: KubeObject, options: DeleteOptions): number {
    if (!(resource.plural === "pods" && resource.group === "")) return 0;
    if (!object.spec?.nodeName) return 0;
    if (options.gracePeriodSeconds !== undefined) return Math.max(0, options.gracePeriodSeconds);
    const fromSpec = object.spec.terminationGracePeriodSeconds;
    return typeof fromSpec === "number" ? fromSpec : DEFAULT_POD_GRACE_SECONDS;
  }

  /** The kubelet's final say on a terminating pod: remove it now. */
  finishPodDeletion(resource: ResourceType, namespace: string, name: string): void {
    const key = objectKey(namespace, name);
    const old = this.table(resource).get(key);
    if (!old) return;
    this.rv += 1;
    const object = {
      ...old,
      metadata: { ...old.metadata, resourceVersion: String(this.rv), deletionGracePeriodSeconds: 0 },
    };
    this.table(resource).delete(key);
    this.record("DELETED", resource, object, old);
  }
}
