/**
 * Policies from custom resources: the five kinds under kubedrs.io/v1alpha1, cluster-scoped, each
 * kept current by a Reflector. Any change re-decodes the whole set, so cross-document checks see
 * every policy; changes that arrive together (kubectl apply -f policies/) make one load. A kind that
 * cannot be listed is an error in the load, so the keeper keeps the last good set rather than take
 * one with a kind missing. Every load, the first included, goes to onLoad.
 */
import type { KubeConfig } from "@kubernetes/client-node";
import { ApiClient } from "../../adapters/kube/client/api-client.ts";
import { type Backoff, Reflector, type WatchNotice } from "../../adapters/kube/client/reflector.ts";
import type { PolicyKind } from "../../core/policy/document.ts";
import { POLICY_GROUP, POLICY_RESOURCES, POLICY_VERSION, decodePolicyObjects } from "./policy-objects.ts";
import { type PolicyLoad, sourceError } from "./policy-load.ts";

export type { WatchNotice } from "../../adapters/kube/client/reflector.ts";

export interface PolicyCrdSourceOptions {
  readonly kubeconfig: KubeConfig;
  readonly onLoad: (load: PolicyLoad) => void;
  /** Quiet time after the last change before decoding: an apply of many objects makes one load. */
  readonly debounceMs?: number;
  /** Waits between failed lists or dropped watches, doubling from initialMs up to maxMs. */
  readonly backoff?: Backoff;
  /** How long each watch lasts before the server ends it and it is resumed. */
  readonly watchTimeoutSeconds?: number;
  /** Lists, relists and failures, for the log. */
  readonly onNotice?: (notice: WatchNotice) => void;
  /** Receives what onLoad throws; without it the error is rethrown, uncaught, as from an event listener. */
  readonly onError?: (error: unknown) => void;
}

const DEFAULT_DEBOUNCE_MS = 100;
const DEFAULT_WATCH_TIMEOUT_SECONDS = 300;

export const CRD_ORIGIN = `CRDs ${POLICY_GROUP}/${POLICY_VERSION}`;

function rethrow(error: unknown): void {
  process.nextTick(() => {
    throw error;
  });
}

export class PolicyCrdSource {
  private readonly options: PolicyCrdSourceOptions;
  private readonly watchers: { readonly kind: PolicyKind; readonly watcher: Reflector }[];
  private debounce: NodeJS.Timeout | undefined;
  /** The decoded text of the last load, so a relist that finds nothing new makes no load. */
  private lastDelivered: string | undefined;
  private started = false;
  private ready = false;
  private stopped = false;

  constructor(options: PolicyCrdSourceOptions) {
    this.options = options;
    const api = new ApiClient(options.kubeconfig);
    this.watchers = POLICY_RESOURCES.map(({ kind, plural }) => ({
      kind,
      watcher: new Reflector({
        api,
        path: `/apis/${POLICY_GROUP}/${POLICY_VERSION}/${plural}`,
        name: `${plural}.${POLICY_GROUP}`,
        ...(options.backoff !== undefined && { backoff: options.backoff }),
        watchTimeoutSeconds: options.watchTimeoutSeconds ?? DEFAULT_WATCH_TIMEOUT_SECONDS,
        onChange: () => this.changed(),
        onNotice: (notice) => options.onNotice?.(notice),
      }),
    }));
  }

  /** Lists every kind once (a kind that fails is an error in the load), hands the load to onLoad and returns it, then watches. */
  async start(): Promise<PolicyLoad> {
    if (this.started) throw new Error("the policy CRD source is already started");
    this.started = true;
    await Promise.all(this.watchers.map(({ watcher }) => watcher.start("tried")));
    this.ready = true;
    const load = this.decode();
    this.lastDelivered = JSON.stringify(load);
    if (!this.stopped) this.options.onLoad(load);
    return load;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.debounce);
    for (const { watcher } of this.watchers) watcher.stop();
  }

  private decode(): PolicyLoad {
    const problems = this.watchers.flatMap(({ watcher }) =>
      watcher.failure === undefined ? [] : [sourceError(watcher.resource, `cannot list: ${watcher.failure}`)],
    );
    const groups = this.watchers.map(({ kind, watcher }) => ({ kind, objects: watcher.list() }));
    return decodePolicyObjects(groups, problems, CRD_ORIGIN);
  }

  private changed(): void {
    // Until every kind has been listed once, a load would miss whole kinds: start() makes the first.
    if (!this.ready || this.stopped) return;
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => this.deliver(), this.options.debounceMs ?? DEFAULT_DEBOUNCE_MS);
  }

  private deliver(): void {
    if (this.stopped) return;
    const load = this.decode();
    const text = JSON.stringify(load);
    if (text === this.lastDelivered) return;
    this.lastDelivered = text;
    try {
      this.options.onLoad(load);
    } catch (error) {
      (this.options.onError ?? rethrow)(error);
    }
  }
}

/** The policy CRDs read once (`kubedrs plan --policies crd`): every kind listed, decoded, and the watches stopped. */
export async function readPolicyCrds(kubeconfig: KubeConfig): Promise<PolicyLoad> {
  const source = new PolicyCrdSource({ kubeconfig, onLoad: () => undefined });
  try {
    return await source.start();
  } finally {
    source.stop();
  }
}
