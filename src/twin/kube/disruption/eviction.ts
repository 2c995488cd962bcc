/**
 * The default eviction (POST pods/{name}/eviction, pkg/registry/core/pod/storage/eviction.go),
 * run after KubeVirt's webhook has let the pod go. Pods that are Pending, terminal or already
 * deleting are deleted without looking at budgets. Otherwise the one PodDisruptionBudget that
 * selects the pod must allow a disruption: its status must be current and disruptionsAllowed
 * above zero; the eviction then decrements it and records the pod in disruptedPods before
 * deleting the pod gracefully. Refusals are 429 TooManyRequests, as the API returns them.
 */
import { errors } from "../../api/status.ts";
import type { KubeObject } from "../../api/types.ts";
import type { TwinRuntime } from "../../runtime/runtime.ts";
import { asNumber, asRecord, asText, isDeleting, isPodReady, isTerminal, podPhase } from "../shared/objects.ts";
import { budgetSpecOf } from "./budget.ts";
import { budgetSelects } from "./disruption-controller.ts";

export const BUDGET_VIOLATION = "Cannot evict pod as it would violate the pod's disruption budget.";
/** MaxDisruptedPodSize. */
const MAX_DISRUPTED_PODS = 2000;
const ACTOR = "eviction";

interface EvictionOptions {
  readonly gracePeriodSeconds: number | undefined;
  readonly dryRun: boolean;
  readonly uid: string | undefined;
}

function optionsOf(body: unknown): EvictionOptions {
  const deleteOptions = asRecord(asRecord(body).deleteOptions);
  const dryRun = Array.isArray(deleteOptions.dryRun) && deleteOptions.dryRun.includes("All");
  return {
    gracePeriodSeconds: asNumber(deleteOptions.gracePeriodSeconds),
    dryRun,
    uid: asText(asRecord(deleteOptions.preconditions).uid),
  };
}

/** canIgnorePDB: evicting these pods disrupts nothing a budget protects. */
function budgetIrrelevant(pod: KubeObject): boolean {
  return isTerminal(pod) || podPhase(pod) === "Pending" || isDeleting(pod);
}

export function evictPod(runtime: TwinRuntime, namespace: string, name: string, body: unknown): void {
  const { store, resources } = runtime;
  const pod = store.get(resources.pods, namespace, name);
  if (!pod) throw errors.notFound({ group: "", kind: "Pod", plural: "pods", name });
  const options = optionsOf(body);
  if (!budgetIrrelevant(pod)) {
    const budgets = store
      .list(resources.podDisruptionBudgets, { namespace })
      .filter((pdb) => budgetSelects(budgetSpecOf(pdb).selector, pod));
    if (budgets.length > 1)
      throw errors.internal(
        "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.",
      );
    const budget = budgets[0];
    if (budget && !unhealthyPodMayGo(budget, pod)) checkAndDecrement(runtime, budget, name, options.dryRun);
  }
  deletePod(runtime, pod, options);
}

/** unhealthyPodEvictionPolicy: a pod that is not Ready may go if the budget is met anyway (or always). */
function unhealthyPodMayGo(pdb: KubeObject, pod: KubeObject): boolean {
  if (isPodReady(pod)) return false;
  if (budgetSpecOf(pdb).unhealthyPodEvictionPolicy === "AlwaysAllow") return true;
  const current = asNumber(pdb.status?.currentHealthy) ?? 0;
  const desired = asNumber(pdb.status?.desiredHealthy) ?? 0;
  return current >= desired && desired > 0;
}

function checkAndDecrement(runtime: TwinRuntime, pdb: KubeObject, podName: string, dryRun: boolean): void {
  const status = pdb.status ?? {};
  if ((asNumber(status.observedGeneration) ?? 0) < (pdb.metadata.generation ?? 1))
    throw errors.tooManyRequests(BUDGET_VIOLATION);
  const allowed = asNumber(status.disruptionsAllowed) ?? 0;
  if (allowed < 0) throw errors.forbidden("pdb disruptions allowed is negative");
  if (Object.keys(asRecord(status.disruptedPods)).length > MAX_DISRUPTED_PODS)
    throw errors.forbidden("DisruptedPods map too big - too many evictions not confirmed by PDB controller");
  if (allowed === 0) throw errors.tooManyRequests(BUDGET_VIOLATION);
  if (dryRun) return;
  const now = runtime.clock.nowIso();
  runtime.store.mutate(
    runtime.resources.podDisruptionBudgets,
    { namespace: pdb.metadata.namespace, name: pdb.metadata.name ?? "" },
    (draft) => {
      draft.status = {
        ...draft.status,
        disruptionsAllowed: allowed - 1,
        disruptedPods: { ...asRecord(draft.status?.disruptedPods), [podName]: now },
      };
    },
    { subresource: "status", actor: ACTOR },
  );
}

function deletePod(runtime: TwinRuntime, pod: KubeObject, options: EvictionOptions): void {
  const grace = options.gracePeriodSeconds;
  const shorter = grace !== undefined && grace < (pod.metadata.deletionGracePeriodSeconds ?? Number.POSITIVE_INFINITY);
  if (isDeleting(pod) && !shorter) return;
  runtime.store.delete(runtime.resources.pods, pod.metadata.namespace, pod.metadata.name ?? "", {
    actor: ACTOR,
    gracePeriodSeconds: grace,
    preconditionUid: options.uid ?? pod.metadata.uid,
    dryRun: options.dryRun,
  });
}
