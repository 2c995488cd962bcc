/**
 * KubeVirt's eviction interceptor (kubevirt/kubevirt pkg/virt-api/webhooks/validating-webhook/
 * admitters/pod-eviction-admitter.go): an eviction of a virt-launcher pod whose VMI should leave by
 * live migration is refused with 429 and marks the VMI for evacuation instead (status.evacuationNodeName);
 * the evacuation controller then migrates it. Pods that are not running virt-launchers pass.
 */
import type { KubeObject } from "../api/types.ts";
import type { KubeVirtContext } from "./context.ts";
import { isRecord } from "../api/types.ts";
import { at, listAt, nameOf, namespaceOf, textAt } from "./fields.ts";
import { ACTOR, ANNOTATION } from "./names.ts";
import { isLauncherPod, podIsDown, podNode } from "./pods.ts";
import { hasCondition } from "./conditions.ts";
import { evacuationNodeOf, evictionStrategyOf, vmiNode } from "./vmi-spec.ts";
import { WEBHOOK, webhookDenial } from "./webhook.ts";

/** The descheduler marks its evictions (descheduler PR #1753); KubeVirt then lowers the migration's priority. */
const REQUESTED_BY = "requested-by";
const DESCHEDULER = "sigs.k8s.io/descheduler";

function denied(message: string): Error {
  return webhookDenial(WEBHOOK.eviction, 429, message);
}

/** isDryRun: the Eviction's deleteOptions.dryRun contains "All". */
function isDryRun(body: unknown): boolean {
  const dryRun = listAt(body, "deleteOptions", "dryRun");
  return dryRun[0] === "All" || (isRecord(body) && listAt(body, "dryRun")[0] === "All");
}

function isDeschedulerEviction(body: unknown): boolean {
  return textAt(at(body, "metadata", "annotations"), REQUESTED_BY) === DESCHEDULER;
}

/** Whether the strategy sends the VMI away by migration; throws when LiveMigrate cannot be honoured. */
function marksForEvacuation(strategy: string, vmi: KubeObject): boolean {
  const migratable = hasCondition(vmi, "LiveMigratable", "True");
  switch (strategy) {
    case "LiveMigrate":
      if (!migratable)
        throw denied(`VMI ${nameOf(vmi)} is configured with an eviction strategy but is not live-migratable`);
      return true;
    case "LiveMigrateIfPossible":
      return migratable;
    case "External":
      return true;
    default:
      return false;
  }
}

export function admitLauncherEviction(context: KubeVirtContext, namespace: string, name: string, body: unknown): void {
  const pod = context.store.get(context.resources.pods, namespace, name);
  if (!pod || !isLauncherPod(pod) || podIsDown(pod)) return;
  const vmiName = pod.metadata.annotations?.[ANNOTATION.domain];
  if (vmiName === undefined) return;
  const vmi = context.store.get(context.resources.virtualMachineInstances, namespace, vmiName);
  if (!vmi) throw denied(`kubevirt failed getting the vmi: virtualmachineinstances.kubevirt.io "${vmiName}" not found`);
  const strategy = evictionStrategyOf(vmi) ?? context.config().evictionStrategy;
  if (!marksForEvacuation(strategy, vmi)) return;
  const evacuation = `Eviction triggered evacuation of VMI "${namespaceOf(vmi)}/${nameOf(vmi)}"`;
  if (evacuationNodeOf(vmi) !== "") throw denied(`Evacuation in progress: ${evacuation}`);
  if (vmiNode(vmi) !== podNode(pod)) throw denied("Eviction request for target Pod");
  if (!isDryRun(body)) markVmi(context, vmi, podNode(pod), isDeschedulerEviction(body));
  throw denied(evacuation);
}

function markVmi(context: KubeVirtContext, vmi: KubeObject, node: string, fromDescheduler: boolean): void {
  const ref = { namespace: namespaceOf(vmi), name: nameOf(vmi) };
  context.store.mutate(
    context.resources.virtualMachineInstances,
    ref,
    (draft) => {
      draft.status = { ...draft.status, evacuationNodeName: node };
    },
    { actor: ACTOR.api, subresource: "status" },
  );
  if (!fromDescheduler) return;
  context.store.mutate(
    context.resources.virtualMachineInstances,
    ref,
    (draft) => {
      draft.metadata.annotations = { ...draft.metadata.annotations, [ANNOTATION.evictionSource]: "descheduler" };
    },
    { actor: ACTOR.api },
  );
}
