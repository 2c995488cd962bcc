/**
 * A reflector in client-go's sense: lists a resource (in pages), then watches it from the list's
 * resourceVersion, keeping a local copy keyed by namespace/name. A watch the server ends (or that
 * client-node drops for silence) is resumed where it stopped; a 410 Gone (the history it would resume
 * from is compacted) means a relist at once; a failed list or watch means a relist after a backoff
 * that doubles up to a ceiling; a watch that dies straight after opening waits its backoff too, so a
 * server that keeps refusing is not hammered. It also relists every `resyncMs` to heal any drift.
 * Objects can be trimmed on arrival so 30,000 VMIs cost only the fields the controller reads. What
 * happens goes to `onNotice`; why the last list failed stays readable until one succeeds.
 */
import type { JsonObject } from "../convert/meta.ts";
import { type ApiClient, KubeApiError } from "./api-client.ts";
import { describeFailure } from "./failure.ts";

export interface WatchNotice {
  /** The reflector's name, e.g. "balancepolicies.kubedrs.io" (its path when it has none). */
  readonly resource: string;
  readonly event: "listed" | "list-failed" | "gone" | "watch-failed" | "watch-ended";
  readonly message: string;
  /** When the next attempt is due, for events that wait. */
  readonly retryInMs?: number;
}

export interface Backoff {
  readonly initialMs: number;
  readonly maxMs: number;
}

export interface ReflectorOptions {
  readonly api: ApiClient;
  /** The collection path, e.g. /api/v1/pods or /apis/kubevirt.io/v1/virtualmachineinstances. */
  readonly path: string;
  /** How notices name the resource; the path when unset. */
  readonly name?: string;
  readonly labelSelector?: string;
  /** Keeps what the controller reads of an object; the default keeps it whole. */
  readonly trim?: (object: JsonObject) => JsonObject;
  /** A full relist this often; 0 never. */
  readonly resyncMs?: number;
  /** A 404 on the list means the API is not installed (a CRD): the cache stays empty and synced. */
  readonly optional?: boolean;
  readonly pageSize?: number;
  readonly backoff?: Backoff;
  /** Asks the server to end each watch after this long (it is then resumed): a dead connection lasts no longer. */
  readonly watchTimeoutSeconds?: number;
  /** The objects, or the list failure, changed. */
  readonly onChange?: () => void;
  readonly onNotice?: (notice: WatchNotice) => void;
}

const DEFAULT_BACKOFF: Backoff = { initialMs: 500, maxMs: 30_000 };
/** How long an optional API that is not installed waits before looking again. */
const ABSENT_RECHECK_MS = 60_000;
/** A watch that ends sooner than this after it opened is retried after a backoff, not at once. */
const HEALTHY_WATCH_MS = 1_000;

export function objectKey(object: JsonObject): string {
  const metadata = object.metadata as { namespace?: string; name?: string } | undefined;
  return metadata?.namespace ? `${metadata.namespace}/${metadata.name ?? ""}` : (metadata?.name ?? "");
}

function resourceVersionOf(object: JsonObject): string | undefined {
  const version = (object.metadata as { resourceVersion?: unknown } | undefined)?.resourceVersion;
  return typeof version === "string" ? version : undefined;
}

function isGone(error: unknown): boolean {
  if (error instanceof KubeApiError) return error.status === 410;
  return (error as { statusCode?: number } | null)?.statusCode === 410;
}

/** client-node aborts a watch that has been silent for 30 s: that is resumed like a watch the server ended. */
function silentTooLong(error: unknown): boolean {
  return error instanceof Error && error.name === "TimeoutError";
}

interface Listed {
  readonly objects: Map<string, JsonObject>;
  readonly resourceVersion: string;
  readonly absent: boolean;
}

export class Reflector {
  readonly resource: string;
  private readonly options: ReflectorOptions;
  private readonly backoff: Backoff;
  private objects = new Map<string, JsonObject>();
  private resourceVersion = "";
  private listFailure: string | undefined;
  private watchAbort: AbortController | undefined;
  private timer: NodeJS.Timeout | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private backoffMs: number;
  private stopped = false;
  private hasSynced = false;
  private readonly firstSync = Promise.withResolvers<void>();
  private readonly firstTry = Promise.withResolvers<void>();
  /** Counts lists and watches, so the end of a replaced one is ignored. */
  private generation = 0;

  constructor(options: ReflectorOptions) {
    this.options = options;
    this.resource = options.name ?? options.path;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.backoffMs = this.backoff.initialMs;
  }

  /**
   * Starts listing and watching. Resolves once the first list is in ("synced", the default; it keeps
   * trying until then), or once the first list has been tried, whether it worked or not ("tried").
   */
  start(until: "synced" | "tried" = "synced"): Promise<void> {
    this.relist();
    const resync = this.options.resyncMs ?? 0;
    if (resync > 0) {
      this.resyncTimer = setInterval(() => this.relist(), resync);
      this.resyncTimer.unref();
    }
    return until === "synced" ? this.firstSync.promise : this.firstTry.promise;
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

  /** Why the last list failed, while none has succeeded since. */
  get failure(): string | undefined {
    return this.listFailure;
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

  private notice(event: WatchNotice["event"], message: string, retryInMs?: number): void {
    this.options.onNotice?.({ resource: this.resource, event, message, ...(retryInMs !== undefined && { retryInMs }) });
  }

  private relist(): void {
    if (this.stopped) return;
    const generation = ++this.generation;
    this.watchAbort?.abort();
    this.listAll().then(
      (listed) => {
        if (generation === this.generation) this.listed(listed, generation);
      },
      (error: unknown) => {
        if (generation === this.generation) this.listFailed(describeFailure(error));
      },
    );
  }

  private listed(listed: Listed, generation: number): void {
    this.objects = listed.objects;
    this.resourceVersion = listed.resourceVersion;
    this.listFailure = undefined;
    this.backoffMs = this.backoff.initialMs;
    this.notice("listed", `listed ${listed.objects.size} ${this.resource} at resourceVersion ${this.resourceVersion}`);
    this.options.onChange?.();
    this.hasSynced = true;
    this.firstSync.resolve();
    this.firstTry.resolve();
    if (listed.absent) this.later(ABSENT_RECHECK_MS, () => this.relist());
    else this.watchFrom(generation);
  }

  private listFailed(failure: string): void {
    const changed = failure !== this.listFailure;
    this.listFailure = failure;
    const delay = this.later(this.nextBackoff(), () => this.relist());
    this.notice("list-failed", `cannot list ${this.resource}: ${failure}`, delay);
    if (changed) this.options.onChange?.();
    this.firstTry.resolve();
  }

  private async listAll(): Promise<Listed> {
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

  private watchFrom(generation: number): void {
    if (this.stopped || generation !== this.generation) return;
    const opened = performance.now();
    const query = {
      resourceVersion: this.resourceVersion,
      allowWatchBookmarks: true,
      labelSelector: this.options.labelSelector,
      timeoutSeconds: this.options.watchTimeoutSeconds,
    };
    const current = (): boolean => !this.stopped && generation === this.generation;
    const onEvent = (type: string, object: JsonObject): void => {
      if (current()) this.apply(type, object);
    };
    const done = (error: unknown): void => {
      if (current()) this.watchEnded(error, generation, performance.now() - opened);
    };
    this.options.api.watch(this.options.path, query, onEvent, done).then((abort) => {
      if (current()) this.watchAbort = abort;
      else abort.abort();
    }, done);
  }

  private apply(type: string, object: JsonObject): void {
    if (type === "ERROR") {
      // A watch that fell too far behind gets a Status (410 Expired) instead of events: list afresh.
      this.notice("gone", `the watch on ${this.resource} is too old to resume (410 Gone): listing again`, 0);
      this.relist();
      return;
    }
    const version = resourceVersionOf(object);
    if (version !== undefined) this.resourceVersion = version;
    if (type === "BOOKMARK") return;
    if (type === "DELETED") this.objects.delete(objectKey(object));
    else this.keep(this.objects, object);
    this.options.onChange?.();
  }

  private watchEnded(error: unknown, generation: number, livedMs: number): void {
    const healthy = livedMs >= HEALTHY_WATCH_MS;
    if (isGone(error)) {
      // At once, as client-go does; after a backoff when it comes straight back.
      const delay = healthy ? 0 : this.later(this.nextBackoff(), () => this.relist());
      this.notice("gone", `the watch on ${this.resource} is too old to resume (410 Gone): listing again`, delay);
      if (healthy) this.relist();
      return;
    }
    if (error && !silentTooLong(error)) {
      const delay = this.later(this.nextBackoff(), () => this.relist());
      this.notice("watch-failed", `the watch on ${this.resource} failed: ${describeFailure(error)}`, delay);
      return;
    }
    if (healthy) {
      this.watchFrom(generation);
      return;
    }
    const delay = this.later(this.nextBackoff(), () => this.watchFrom(generation));
    this.notice("watch-ended", `the watch on ${this.resource} ended after ${Math.round(livedMs)} ms`, delay);
  }

  private nextBackoff(): number {
    const wait = this.backoffMs;
    this.backoffMs = Math.min(this.backoff.maxMs, this.backoffMs * 2);
    return wait;
  }

  /** Runs `action` after `ms` (replacing what was due); returns `ms`. */
  private later(ms: number, action: () => void): number {
    clearTimeout(this.timer);
    this.timer = setTimeout(action, ms);
    this.timer.unref();
    return ms;
  }
}
