/**
 * kube-controller-manager's disruption controller: keeps each PodDisruptionBudget's status
 * (observedGeneration, expectedPods, desiredHealthy, currentHealthy, disruptionsAllowed,
 * disruptedPods, condition DisruptionAllowed) current. A pod counts as healthy when it is Ready
 * and not being deleted; pods the eviction API just evicted stay in disruptedPods, and out of
 * the healthy count, until they are deleted or two minutes pass (DeletionTimeout).
 *
 * A budget's own changes are handled at once, so a budget created right before an eviction is
 * already processed; pod changes are batched to the end of the current instant.
 */
import { type LabelSelector, labelSelectorMatches } from "../../../core/model/selectors.ts";
import type { KubeObject } from "../../api/types.ts";
import type { TwinRuntime } from "../../runtime/runtime.ts";
import type { StoreEvent } from "../../store/store.ts";
import { setCondition } from "../shared/conditions.ts";
import { ControllerBase } from "../shared/controller-base.ts";
import { asRecord, isDeleting, isPodReady, keyOf, labelsOf, nameOf } from "../shared/objects.ts";
import { budgetCounts, budgetSpecOf } from "./budget.ts";
import { jsonEqual } from "../../api/json-equal.ts";

/** The disruption controller forgets an evicted pod that was not deleted after this long. */
const DELETION_TIMEOUT_MS = 2 * 60_000;
const RESYNC_MS = 30_000;

/** policy/v1: a null selector selects nothing, an empty one every pod in the namespace. */
export function budgetSelects(selector: LabelSelector | undefined, pod: KubeObject): boolean {
  return selector !== undefined && labelSelectorMatches(selector, labelsOf(pod));
}

export class DisruptionController extends ControllerBase {
  readonly name = "disruption-controller";
  private readonly budgetsByNamespace = new Map<string, Map<string, LabelSelector | undefined>>();
  private readonly podsByNamespace = new Map<string, Map<string, KubeObject>>();
  private readonly dirty = new Set<string>();
  private passScheduled = false;

  constructor(runtime: TwinRuntime) {
    super(runtime, "disruption-controller", "controllermanager");
    const { store, resources } = runtime;
    for (const pod of store.list(resources.pods)) this.indexPod(pod);
    for (const pdb of store.list(resources.podDisruptionBudgets)) this.indexBudget(pdb);
    this.watch(resources.pods, (event) => this.onPod(event));
    this.watch(resources.podDisruptionBudgets, (event) => this.onBudget(event));
    this.every(RESYNC_MS, () => {
      for (const budgets of this.budgetsByNamespace.values()) for (const key of budgets.keys()) this.dirty.add(key);
      this.syncDirty();
    });
  }

  private indexPod(pod: KubeObject): void {
    const namespace = pod.metadata.namespace ?? "default";
    const pods = this.podsByNamespace.get(namespace) ?? new Map<string, KubeObject>();
    pods.set(keyOf(pod), pod);
    this.podsByNamespace.set(namespace, pods);
  }

  private indexBudget(pdb: KubeObject): void {
    const namespace = pdb.metadata.namespace ?? "default";
    const budgets = this.budgetsByNamespace.get(namespace) ?? new Map<string, LabelSelector | undefined>();
    budgets.set(keyOf(pdb), budgetSpecOf(pdb).selector);
    this.budgetsByNamespace.set(namespace, budgets);
  }

  private onPod(event: StoreEvent): void {
    const namespace = event.object.metadata.namespace ?? "default";
    if (event.type === "DELETED") this.podsByNamespace.get(namespace)?.delete(keyOf(event.object));
    else this.indexPod(event.object);
    for (const [key, selector] of this.budgetsByNamespace.get(namespace) ?? []) {
      const selected =
        budgetSelects(selector, event.object) || (event.old !== undefined && budgetSelects(selector, event.old));
      if (selected) this.dirty.add(key);
    }
    if (this.dirty.size > 0 && !this.passScheduled) {
      this.passScheduled = true;
      this.after(0, () => {
        this.passScheduled = false;
        this.syncDirty();
      });
    }
  }

  private onBudget(event: StoreEvent): void {
    const key = keyOf(event.object);
    if (event.type === "DELETED") {
      this.budgetsByNamespace.get(event.object.metadata.namespace ?? "default")?.delete(key);
      return;
    }
    const specChanged = event.old === undefined || !jsonEqual(event.old.spec, event.object.spec);
    const unobserved = event.object.status?.observedGeneration !== event.object.metadata.generation;
    if (!specChanged && !unobserved) return;
    this.indexBudget(event.object);
    this.sync(key);
  }

  private syncDirty(): void {
    const keys = [...this.dirty].sort();
    this.dirty.clear();
    for (const key of keys) this.sync(key);
  }

  private sync(key: string): void {
    const [namespace = "default", name = ""] = key.split("/");
    const pdb = this.runtime.store.get(this.runtime.resources.podDisruptionBudgets, namespace, name);
    if (!pdb) return;
    const spec = budgetSpecOf(pdb);
    const selected = [...(this.podsByNamespace.get(namespace)?.values() ?? [])].filter((pod) =>
      budgetSelects(spec.selector, pod),
    );
    const disrupted = this.stillDisrupted(pdb, selected);
    const healthy = selected.filter(
      (pod) => !isDeleting(pod) && isPodReady(pod) && disrupted[nameOf(pod)] === undefined,
    );
    const counts = budgetCounts(spec, selected.length, healthy.length);
    const now = this.nowIso();
    this.mutateStatus(this.runtime.resources.podDisruptionBudgets, { namespace, name }, (draft) => {
      const before = JSON.stringify(draft.status ?? {});
      draft.status = {
        ...draft.status,
        observedGeneration: draft.metadata.generation ?? 1,
        disruptionsAllowed: counts.disruptionsAllowed,
        currentHealthy: counts.currentHealthy,
        desiredHealthy: counts.desiredHealthy,
        expectedPods: counts.expectedPods,
      };
      if (Object.keys(disrupted).length > 0) draft.status.disruptedPods = disrupted;
      else delete draft.status.disruptedPods;
      const allowed = counts.disruptionsAllowed > 0;
      setCondition(
        draft,
        {
          type: "DisruptionAllowed",
          status: allowed ? "True" : "False",
          reason: allowed ? "SufficientPods" : "InsufficientPods",
          message: "",
          extra: { observedGeneration: draft.metadata.generation ?? 1 },
        },
        now,
      );
      return JSON.stringify(draft.status) !== before;
    });
  }

  /** buildDisruptedPodMap: entries for pods that are gone, deleting or overdue are dropped. */
  private stillDisrupted(pdb: KubeObject, selected: readonly KubeObject[]): Record<string, string> {
    const byName = new Map(selected.map((pod) => [nameOf(pod), pod]));
    const kept: Record<string, string> = {};
    for (const [podName, since] of Object.entries(asRecord(pdb.status?.disruptedPods))) {
      const pod = byName.get(podName);
      if (!pod || isDeleting(pod) || typeof since !== "string") continue;
      if (Date.parse(since) + DELETION_TIMEOUT_MS < this.now()) continue;
      kept[podName] = since;
    }
    return kept;
  }
}
