/**
 * A reflector in client-go's sense: lists a resource (in pages), then watches it from the list's
 * resourceVersion, keeping a local copy keyed by namespace/name. It resumes a dropped watch from the
 * last resourceVersion it saw (bookmarks included), relists when the server answers 410 Gone, relists
 * anyway every `resyncMs` to heal any drift, and backs off while the server is away. Objects can be
 * trimmed on arrival so 30,000 VMIs cost only the fields the controller reads.
 */
import type { JsonObject } from "../convert/meta.ts";
import { type ApiClient, KubeApiError } from "./api-client.ts";

export interface ReflectorLog {
  warn(object: object, message: string): void;
  debug(object: object, message: string): void;
}

export interface ReflectorOptions {
  readonly api: ApiClient;
  /** The collection path, e.g. /api/v1/pods or /apis/kubevirt.io/v1/virtualmachineinstances. */
  readonly path: string;
  readonly labelSelector?: string;
  /** Keeps what the controller reads of an object; the default keeps it whole. */
  readonly trim?: (object: JsonObject) => JsonObject;
  readonly log: ReflectorLog;
  /** A full relist this often; 0 never. */
  readonly resyncMs?: number;
  /** A 404 on the list means the API is not installed (a CRD): the cache stays empty and synced. */
  readonly optional?: boolean;
  readonly pageSize?: number;
  readonly onChange?: () => void;
}

const MIN_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 30_000;
/** How long an optional API that is not installed waits before looking again. */
const ABSENT_RECHECK_MS = 60_000;

export function objectKey(object: JsonObject): string {
  const metadata = object.metadata as { namespace?: string; name?: string } | undefined;
  return metadata?.namespace ? `${metadata.namespace}/${metadata.name ?? ""}` : (metadata?.name ?? "");
}

function resourceVersionOf(object: JsonObject): string | undefined {
  const version = (object.metadata as { resourceVersion?: unknown } | undefined)?.resourceVersion;
  return typeof version === "string" ? version : undefined;
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : JSON.stringify(error);
}

function isGone(error: unknown): boolean {
  if (error instanceof KubeApiError) return error.status === 410;
  return (error as { statusCode?: number } | null)?.statusCode === 410;
}

export class Reflector {
  private readonly options: ReflectorOptions;
  private objects = new Map<string, JsonObject>();
  private resourceVersion = "";
  private watchAbort: AbortController | undefined;
  private timer: NodeJS.Timeout | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private backoffMs = MIN_BACKOFF_MS;
  private stopped = false;
  private hasSynced = false;
  private changes = 0;
  private firstSync: { resolve: () => void; promise: Promise<void> };
  /** Counts watch connections, so a stale connection's end does not restart a newer one. */
  private generation = 0;

  constructor(options: ReflectorOptions) {
    this.options = options;
    let resolve = (): void => undefined;
    const promise = new Promise<void>((done) => (resolve = done));
    this.firstSync = { resolve, promise };
  }

  /** Resolves once the first list is in; keeps trying until then. */
  start(): Promise<void> {
    this.relist();
    const resync = this.options.resyncMs ?? 0;
    if (resync > 0) {
      this.resyncTimer = setInterval(() => this.relist(), resync);
      this.resyncTimer.unref();
    }
    return this.firstSync.promise;
  }

  stop(): void {
    this.stopped = true;
    this.generation += 1;
    clearTimeout(this.timer);
    clearInterval(this.resyncTimer);
    this.watchAbort?.abort();
  }

  get synced(): boolean {
    return this.hasSynced;
  }

  /** Goes up on every change the cache takes in. */
  get version(): number {
    return this.changes;
  }

  list(): JsonObject[] {
    return [...this.objects.values()];
  }

  get(key: string): JsonObject | undefined {
    return this.objects.get(key);
  }

  size(): number {
    return this.objects.size;
  }

  private changed(): void {
    this.changes += 1;
    this.options.onChange?.();
  }

  private relist(): void {
    if (this.stopped) return;
    const generation = ++this.generation;
    this.watchAbort?.abort();
    this.listAll().then(
      (listed) => {
        if (generation !== this.generation) return;
        this.objects = listed.objects;
        this.resourceVersion = listed.resourceVersion;
        this.backoffMs = MIN_BACKOFF_MS;
        this.markSynced();
        if (listed.absent) this.later(ABSENT_RECHECK_MS, () => this.relist());
        else this.rewatch(generation);
      },
      (error: unknown) => {
        if (generation !== this.generation) return;
        this.options.log.warn({ path: this.options.path, err: describeError(error) }, "list failed; retrying");
        this.later(this.nextBackoff(), () => this.relist());
      },
    );
  }

  private markSynced(): void {
    this.changed();
    if (this.hasSynced) return;
    this.hasSynced = true;
    this.firstSync.resolve();
  }

  private async listAll(): Promise<{ objects: Map<string, JsonObject>; resourceVersion: string; absent: boolean }> {
    const objects = new Map<string, JsonObject>();
    let continueToken: string | undefined;
    let resourceVersion: string;
    do {
      const page = await this.options.api
        .listPage(this.options.path, {
          limit: this.options.pageSize ?? 500,
          labelSelector: this.options.labelSelector,
          continue: continueToken,
        })
        .catch((error: unknown) => {
          if (this.options.optional && error instanceof KubeApiError && error.status === 404) return undefined;
          throw error;
        });
      if (page === undefined) return { objects, resourceVersion: "", absent: true };
      for (const item of page.items) this.keep(objects, item);
      resourceVersion = page.resourceVersion;
      continueToken = page.continueToken;
    } while (continueToken !== undefined);
    return { objects, resourceVersion, absent: false };
  }

  private keep(into: Map<string, JsonObject>, object: JsonObject): void {
    into.set(objectKey(object), this.options.trim ? this.options.trim(object) : object);
  }

  private rewatch(generation: number): void {
    if (this.stopped || generation !== this.generation) return;
    const query = {
      resourceVersion: this.resourceVersion,
      allowWatchBookmarks: true,
      labelSelector: this.options.labelSelector,
    };
    const onEvent = (type: string, object: JsonObject): void => {
      if (generation !== this.generation) return;
      this.apply(type, object);
    };
    const done = (error: unknown): void => {
      if (generation !== this.generation || this.stopped) return;
      if (isGone(error)) {
        this.options.log.debug({ path: this.options.path }, "watch expired (410 Gone); relisting");
        this.relist();
        return;
      }
      if (error)
        this.options.log.debug({ path: this.options.path, err: describeError(error) }, "watch ended; resuming");
      // A clean close is the server's timeout: resume at once; an error waits its backoff.
      this.later(error ? this.nextBackoff() : 0, () => this.rewatch(generation));
    };
    this.options.api.watch(this.options.path, query, onEvent, done).then((abort) => {
      if (generation === this.generation) this.watchAbort = abort;
      else abort.abort();
    }, done);
  }

  private apply(type: string, object: JsonObject): void {
    if (type === "ERROR") {
      // A watch that fell too far behind gets a Status (code 410) instead of events: start over.
      this.options.log.debug({ path: this.options.path, status: object }, "watch error event; relisting");
      this.relist();
      return;
    }
    const version = resourceVersionOf(object);
    if (version !== undefined) this.resourceVersion = version;
    if (type === "BOOKMARK") return;
    this.backoffMs = MIN_BACKOFF_MS;
    if (type === "DELETED") this.objects.delete(objectKey(object));
    else this.keep(this.objects, object);
    this.changed();
  }

  private nextBackoff(): number {
    const wait = this.backoffMs;
    this.backoffMs = Math.min(MAX_BACKOFF_MS, this.backoffMs * 2);
    return wait;
  }

  private later(ms: number, action: () => void): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(action, ms);
    this.timer.unref();
  }
}
