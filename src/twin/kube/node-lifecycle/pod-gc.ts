/**
 * kube-controller-manager's pod garbage collector (pkg/controller/podgc), every 20 s:
 * - out-of-service: terminating pods on a node that is not Ready and carries the
 *   node.kubernetes.io/out-of-service taint are force-deleted (non-graceful node shutdown, GA in
 *   1.28): the taint-eviction controller deletes them for the NoExecute taint, PodGC finishes them;
 * - orphaned: pods bound to a node that has been gone for 40 s are force-deleted, with a
 *   DisruptionTarget condition "PodGC: node no longer exists";
 * - terminated: beyond --terminated-pod-gc-threshold, the oldest Succeeded/Failed pods go.
 * Each is first marked Failed (if it was not terminal), then deleted with grace period 0.
 */
import type { KubeObject } from "../../api/types.ts";
import type { TwinRuntime } from "../../runtime/runtime.ts";
import type { PodGcSettings } from "../options.ts";
import { type ConditionChange, setCondition } from "../shared/conditions.ts";
import { ControllerBase } from "../shared/controller-base.ts";
import { conditionStatus, isDeleting, isTerminal, nameOf, refOf, taintsOf } from "../shared/objects.ts";
import type { PodIndex } from "../shared/pod-index.ts";
import { TAINT } from "../shared/taints.ts";

export class PodGarbageCollector extends ControllerBase {
  readonly name = "pod-garbage-collector";
  private readonly settings: PodGcSettings;
  private readonly pods: PodIndex;
  /** Nodes that pods are bound to but that do not exist, since when (the quarantine queue). */
  private readonly missingSince = new Map<string, number>();

  constructor(runtime: TwinRuntime, settings: PodGcSettings, pods: PodIndex) {
    super(runtime, "pod-garbage-collector");
    this.settings = settings;
    this.pods = pods;
    this.every(settings.periodSeconds * 1000, () => this.collect());
  }

  private collect(): void {
    this.collectTerminated();
    this.collectOutOfService();
    this.collectOrphaned();
  }

  private collectTerminated(): void {
    const { store, resources } = this.runtime;
    const terminated = store.list(resources.pods).filter(isTerminal);
    const excess = terminated.length - this.settings.terminatedPodThreshold;
    if (excess <= 0) return;
    terminated.sort((a, b) => ((a.metadata.creationTimestamp ?? "") < (b.metadata.creationTimestamp ?? "") ? -1 : 1));
    for (const pod of terminated.slice(0, excess)) this.forceDelete(pod, undefined);
  }

  private collectOutOfService(): void {
    const { store, resources } = this.runtime;
    for (const name of this.pods.nodesWithPods()) {
      const node = store.get(resources.nodes, undefined, name);
      if (!node || conditionStatus(node, "Ready") === "True") continue;
      if (!taintsOf(node).some((taint) => taint.key === TAINT.outOfService)) continue;
      for (const pod of this.pods.podsOn(name)) if (isDeleting(pod)) this.forceDelete(pod, undefined);
    }
  }

  private collectOrphaned(): void {
    const { store, resources } = this.runtime;
    const now = this.now();
    const missing = this.pods.nodesWithPods().filter((name) => !store.get(resources.nodes, undefined, name));
    for (const name of [...this.missingSince.keys()]) if (!missing.includes(name)) this.missingSince.delete(name);
    const orphaned: ConditionChange = {
      type: "DisruptionTarget",
      status: "True",
      reason: "DeletionByPodGC",
      message: "PodGC: node no longer exists",
    };
    for (const name of missing) {
      const since = this.missingSince.get(name) ?? now;
      this.missingSince.set(name, since);
      if (now - since < this.settings.quarantineSeconds * 1000) continue;
      for (const pod of this.pods.podsOn(name)) this.forceDelete(pod, orphaned);
    }
  }

  /** markFailedAndDeletePodWithCondition. */
  private forceDelete(pod: KubeObject, condition: ConditionChange | undefined): void {
    const { store, resources } = this.runtime;
    const ref = refOf(pod);
    const now = this.nowIso();
    if (!isTerminal(pod)) {
      this.mutateStatus(resources.pods, ref, (draft) => {
        draft.status = { ...draft.status, phase: "Failed" };
        if (condition) setCondition(draft, condition, now);
      });
    }
    this.attempt(`Pod ${nameOf(pod)}`, () =>
      store.delete(resources.pods, ref.namespace, ref.name, {
        gracePeriodSeconds: 0,
        preconditionUid: pod.metadata.uid,
        actor: this.actor,
      }),
    );
  }
}
