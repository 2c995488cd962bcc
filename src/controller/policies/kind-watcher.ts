/**
 * One policy kind's custom resources, kept current: a list, then a watch from the list's
 * resourceVersion (bookmarks keep it fresh). A watch the server ends is resumed where it stopped; a
 * 410 Gone (the history it would resume from is compacted) means a relist at once; a dropped
 * connection or a failed list means a relist after a backoff that doubles up to a ceiling. A watch
 * client-node gives up on for silence is resumed like one the server ended. What happens goes to
 * onNotice, so the controller can log it.
 */
import { type CustomObjectsApi, type KubeConfig, Watch } from "@kubernetes/client-node";
import { type JsonObject, POLICY_GROUP, POLICY_VERSION, isJsonObject, nameOf } from "./policy-objects.ts";
import { errorMessage } from "./policy-load.ts";

export interface WatchNotice {
  /** "balancepolicies.kubedrs.io" */
  readonly resource: string;
  readonly event: "listed" | "list-failed" | "gone" | "watch-failed" | "watch-ended";
  readonly message: string;
  /** When the next attempt is due, for failures that wait. */
  readonly retryInMs?: number;
}

export interface Backoff {
  readonly initialMs: number;
  readonly maxMs: number;
}

export interface KindWatcherOptions {
  readonly kubeconfig: KubeConfig;
  readonly api: CustomObjectsApi;
  readonly plural: string;
  readonly backoff: Backoff;
  /** The server ends each watch after this long, and the watcher resumes it: a silently dead connection lasts no longer. */
  readonly watchTimeoutSeconds: number;
  /** The objects or the list error changed. */
  readonly onChange: () => void;
  readonly onNotice: (notice: WatchNotice) => void;
}

/** A watch that ends sooner than this after it opened is retried after a backoff, not at once. */
const HEALTHY_WATCH_MS = 1_000;

/** client-node aborts a watch that has been silent for 30 s (the API server bookmarks about once a minute): resume it. */
function silentTooLong(error: unknown): boolean {
  return error instanceof Error && error.name === "TimeoutError";
}

function statusCode(error: unknown): number | undefined {
  if (!isJsonObject(error)) return undefined;
  const code = error.statusCode ?? error.code;
  return typeof code === "number" ? code : undefined;
}

function statusBody(error: unknown): JsonObject {
  const body = isJsonObject(error) ? error.body : undefined;
  if (isJsonObject(body)) return body;
  try {
    const parsed: unknown = typeof body === "string" ? JSON.parse(body) : undefined;
    return isJsonObject(parsed) ? parsed : {};
  } catch {
    return {};
  }
}

/** "404 NotFound: the server could not find the requested resource", or the connection error with its cause. */
export function describeFailure(error: unknown): string {
  const code = statusCode(error);
  if (code !== undefined) {
    const { reason, message } = statusBody(error);
    const text = typeof message === "string" ? message : error instanceof Error ? error.message.split("\n")[0] : "";
    return `${code}${typeof reason === "string" ? ` ${reason}` : ""}: ${text ?? ""}`;
  }
  const cause = error instanceof Error ? error.cause : undefined;
  return cause instanceof Error ? `${errorMessage(error)}: ${cause.message}` : errorMessage(error);
}

export class KindWatcher {
  readonly resource: string;
  private readonly options: KindWatcherOptions;
  private readonly watch: Watch;
  private readonly objects = new Map<string, JsonObject>();
  private resourceVersion = "";
  private listFailure: string | undefined;
  private backoffMs: number;
  private retry: NodeJS.Timeout | undefined;
  private connection: AbortController | undefined;
  /** Counts watches, so the end of a replaced one is ignored. */
  private watchGeneration = 0;
  private stopped = false;

  constructor(options: KindWatcherOptions) {
    this.options = options;
    this.resource = `${options.plural}.${POLICY_GROUP}`;
    this.backoffMs = options.backoff.initialMs;
    this.watch = new Watch(options.kubeconfig);
  }

  /** The objects as last seen, by name. */
  list(): JsonObject[] {
    return [...this.objects.values()];
  }

  /** Why the last list failed, while it has not succeeded since. */
  get failure(): string | undefined {
    return this.listFailure;
  }

  /** Lists once (success or failure) and goes on watching or retrying in the background. */
  start(): Promise<void> {
    return this.relist();
  }

  stop(): void {
    this.stopped = true;
    this.watchGeneration += 1;
    clearTimeout(this.retry);
    this.connection?.abort();
    this.connection = undefined;
  }

  private path(): string {
    return `/apis/${POLICY_GROUP}/${POLICY_VERSION}/${this.options.plural}`;
  }

  private notice(event: WatchNotice["event"], message: string, retryInMs?: number): void {
    this.options.onNotice({ resource: this.resource, event, message, ...(retryInMs !== undefined && { retryInMs }) });
  }

  private later(action: () => void | Promise<void>): number {
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.options.backoff.maxMs);
    clearTimeout(this.retry);
    this.retry = setTimeout(() => void action(), delay);
    return delay;
  }

  private async relist(): Promise<void> {
    if (this.stopped) return;
    this.watchGeneration += 1;
    this.connection?.abort();
    let list: unknown;
    try {
      list = await this.options.api.listClusterCustomObject({
        group: POLICY_GROUP,
        version: POLICY_VERSION,
        plural: this.options.plural,
      });
    } catch (error) {
      if (this.stopped) return;
      this.failed(describeFailure(error));
      return;
    }
    if (this.stopped) return;
    this.take(list);
  }

  private failed(failure: string): void {
    const changed = failure !== this.listFailure;
    this.listFailure = failure;
    const delay = this.later(() => this.relist());
    this.notice("list-failed", `cannot list ${this.resource}: ${failure}`, delay);
    if (changed) this.options.onChange();
  }

  private take(list: unknown): void {
    const items = isJsonObject(list) && Array.isArray(list.items) ? list.items.filter(isJsonObject) : [];
    const metadata = isJsonObject(list) && isJsonObject(list.metadata) ? list.metadata : {};
    this.objects.clear();
    for (const item of items) this.objects.set(nameOf(item), item);
    this.resourceVersion = typeof metadata.resourceVersion === "string" ? metadata.resourceVersion : "";
    this.listFailure = undefined;
    this.backoffMs = this.options.backoff.initialMs;
    this.notice("listed", `listed ${items.length} ${this.resource} at resourceVersion ${this.resourceVersion}`);
    this.options.onChange();
    this.watchFrom();
  }

  private watchFrom(): void {
    const generation = ++this.watchGeneration;
    const opened = performance.now();
    const ended = { gone: false };
    const current = (): boolean => !this.stopped && generation === this.watchGeneration;
    this.watch
      .watch(
        this.path(),
        {
          resourceVersion: this.resourceVersion,
          allowWatchBookmarks: true,
          timeoutSeconds: this.options.watchTimeoutSeconds,
        },
        (type: string, object: unknown) => {
          if (current()) this.apply(type, object, ended);
        },
        (error: unknown) => {
          if (current()) this.watchEnded(error, ended.gone, performance.now() - opened);
        },
      )
      .then((connection) => {
        if (current()) this.connection = connection;
        else connection.abort();
      })
      .catch((error: unknown) => {
        if (current()) this.watchEnded(error, false, performance.now() - opened);
      });
  }

  private apply(type: string, object: unknown, ended: { gone: boolean }): void {
    if (!isJsonObject(object)) return;
    if (type === "ERROR") {
      // The server ends the watch after this (410 Expired when resuming from a compacted version): list afresh.
      ended.gone = true;
      this.connection?.abort();
      return;
    }
    const metadata = isJsonObject(object.metadata) ? object.metadata : {};
    if (typeof metadata.resourceVersion === "string") this.resourceVersion = metadata.resourceVersion;
    if (type === "ADDED" || type === "MODIFIED") this.objects.set(nameOf(object), object);
    else if (type === "DELETED") this.objects.delete(nameOf(object));
    else return;
    this.options.onChange();
  }

  private watchEnded(error: unknown, gone: boolean, livedMs: number): void {
    this.connection = undefined;
    if (gone || statusCode(error) === 410) {
      // At once, as client-go does; after a backoff when it comes straight back, so a server that keeps answering 410 is not hammered.
      const delay = livedMs >= HEALTHY_WATCH_MS ? 0 : this.later(() => this.relist());
      this.notice("gone", `the watch on ${this.resource} is too old to resume (410 Gone): listing again`, delay);
      if (delay === 0) void this.relist();
      return;
    }
    if (error && !silentTooLong(error)) {
      const delay = this.later(() => this.relist());
      this.notice("watch-failed", `the watch on ${this.resource} failed: ${describeFailure(error)}`, delay);
      return;
    }
    if (livedMs >= HEALTHY_WATCH_MS) {
      this.watchFrom();
      return;
    }
    const delay = this.later(() => this.watchFrom());
    this.notice("watch-ended", `the watch on ${this.resource} ended after ${Math.round(livedMs)} ms`, delay);
  }
}
