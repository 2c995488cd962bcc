/**
 * One pass of `kubectl drain` as node-maintenance-operator runs it (drain.Helper with Force,
 * IgnoreAllDaemonSets, DeleteEmptyDirData, the pods' own grace periods, Timeout 30 s): every pod
 * on the node except DaemonSet and mirror pods is evicted through the eviction API; a refused
 * eviction (429) is retried every 5 s; the pass succeeds once every evicted pod is gone and
 * fails when the timeout comes first, with kubectl's error messages.
 */
import { ApiError } from "../../api/status.ts";
import type { KubeObject } from "../../api/types.ts";
import type { TwinRuntime } from "../../runtime/runtime.ts";
import type { NodeMaintenanceSettings } from "../options.ts";
import { isDaemonSetPod, isMirrorPod, nameOf } from "../shared/objects.ts";

/** waitForDelete polls the pods every second. */
const POLL_MS = 1000;

export interface DrainOutcome {
  /** kubectl's aggregated error; undefined when the drain completed. */
  readonly error: string | undefined;
}

interface PodDrain {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string | undefined;
  evicted: boolean;
  done: boolean;
  nextAttemptAt: number;
  error?: string;
}

export interface DrainDeps {
  readonly runtime: TwinRuntime;
  readonly settings: NodeMaintenanceSettings;
  readonly after: (delayMs: number, run: () => void) => void;
  /** What kubectl prints to stderr, for the twin's log. */
  readonly report: (message: string) => void;
}

/** GetPodsForDeletion with IgnoreAllDaemonSets: DaemonSet pods stay, mirror pods cannot go. */
export function podsForDeletion(pods: readonly KubeObject[]): KubeObject[] {
  return pods.filter((pod) => !isDaemonSetPod(pod) && !isMirrorPod(pod));
}

/** utilerrors.NewAggregate's message. */
export function aggregate(messages: readonly string[]): string | undefined {
  if (messages.length === 0) return undefined;
  return messages.length === 1 ? messages[0] : `[${messages.join(", ")}]`;
}

export class DrainPass {
  private readonly deps: DrainDeps;
  private readonly pods: PodDrain[];
  private readonly deadline: number;
  private readonly onDone: (outcome: DrainOutcome) => void;
  private cancelled = false;

  constructor(deps: DrainDeps, pods: readonly KubeObject[], onDone: (outcome: DrainOutcome) => void) {
    this.deps = deps;
    this.onDone = onDone;
    const now = deps.runtime.clock.now();
    this.deadline = now + deps.settings.drainTimeoutSeconds * 1000;
    this.pods = podsForDeletion(pods).map((pod) => ({
      namespace: pod.metadata.namespace ?? "default",
      name: nameOf(pod),
      uid: pod.metadata.uid,
      evicted: false,
      done: false,
      nextAttemptAt: now,
    }));
  }

  start(): void {
    this.step();
  }

  cancel(): void {
    this.cancelled = true;
  }

  private step(): void {
    if (this.cancelled) return;
    const now = this.deps.runtime.clock.now();
    for (const pod of this.pods) this.advance(pod, now);
    if (this.pods.every((pod) => pod.done)) this.finish();
    else if (now >= this.deadline) this.timeOut();
    else this.deps.after(Math.min(POLL_MS, this.deadline - now), () => this.step());
  }

  private advance(pod: PodDrain, now: number): void {
    if (pod.done) return;
    const { store, resources } = this.deps.runtime;
    const current = store.get(resources.pods, pod.namespace, pod.name);
    if (!current || current.metadata.uid !== pod.uid) {
      pod.done = true;
      return;
    }
    if (!pod.evicted && now >= pod.nextAttemptAt && now < this.deadline) this.evict(pod, now);
  }

  private evict(pod: PodDrain, now: number): void {
    try {
      this.deps.runtime.evictPod(pod.namespace, pod.name);
      pod.evicted = true;
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.status.code === 404) {
        pod.done = true;
      } else if (error.status.code === 429) {
        const retry = this.deps.settings.evictionRetrySeconds;
        pod.nextAttemptAt = now + retry * 1000;
        this.deps.report(
          `error when evicting pods/"${pod.name}" -n "${pod.namespace}" (will retry after ${retry}s): ${error.message}`,
        );
      } else {
        pod.done = true;
        pod.error = `error when evicting pods/"${pod.name}" -n "${pod.namespace}": ${error.message}`;
      }
    }
  }

  private timeOut(): void {
    const timeout = `${this.deps.settings.drainTimeoutSeconds}s`;
    for (const pod of this.pods) {
      if (pod.done) continue;
      pod.done = true;
      pod.error = pod.evicted
        ? `error when waiting for pod "${pod.name}" in namespace "${pod.namespace}" to terminate: context deadline exceeded`
        : `error when evicting pods/"${pod.name}" -n "${pod.namespace}": global timeout reached: ${timeout}`;
    }
    this.finish();
  }

  private finish(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.onDone({ error: aggregate(this.pods.flatMap((pod) => (pod.error ? [pod.error] : []))) });
  }
}
