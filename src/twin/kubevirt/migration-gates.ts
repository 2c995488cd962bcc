/**
 * What holds a migration back before its target pod is created (kubevirt/kubevirt
 * pkg/virt-controller/watch/migration/migration.go handleTargetPodCreation, findRunningMigrations,
 * outboundMigrationsOnNode, handleMigrationBackoff).
 */
import type { KubeObject } from "../api/types.ts";
import type { KubeVirtContext } from "./context.ts";
import { isDeleting, listAt, namespaceOf, textAt, uidOf } from "./fields.ts";
import { isBackoffEligible, isMigrationFinal, isMigrationRunning, migrationPhase } from "./migration-status.ts";
import { LABEL } from "./names.ts";
import { isLauncherPod, podIsDown } from "./pods.ts";

/** The migration's target pods: launcher pods of the VMI labelled with the migration's uid. */
export function targetPodsOf(context: KubeVirtContext, migration: KubeObject, vmi: KubeObject): KubeObject[] {
  return context.indexes
    .podsOf(uidOf(vmi))
    .filter((pod) => isLauncherPod(pod) && pod.metadata.labels?.[LABEL.migrationJobUid] === uidOf(migration));
}

function vmiOf(context: KubeVirtContext, migration: KubeObject): KubeObject | undefined {
  const name = textAt(migration, "spec", "vmiName") ?? "";
  return context.store.get(context.resources.virtualMachineInstances, namespaceOf(migration), name);
}

/** findRunningMigrations: unfinished migrations past Pending, or Pending with a target pod already. */
export function runningMigrations(context: KubeVirtContext): KubeObject[] {
  return context.store.list(context.resources.migrations).filter((migration) => {
    if (isMigrationFinal(migration)) return false;
    if (isMigrationRunning(migration)) return true;
    const vmi = vmiOf(context, migration);
    return vmi !== undefined && targetPodsOf(context, migration, vmi).length > 0;
  });
}

/** outboundMigrationsOnNode: counted by the *source* node (the log message says "target"; the code does not). */
export function outboundMigrationsFrom(context: KubeVirtContext, node: string, running: readonly KubeObject[]): number {
  return running.filter((migration) => {
    const vmi = vmiOf(context, migration);
    return textAt(vmi, "status", "nodeName") === node || textAt(vmi, "status", "migrationState", "sourceNode") === node;
  }).length;
}

/** VMIActivePodsCount: the VMI's pods that have not finished. */
export function activePodCount(context: KubeVirtContext, vmi: KubeObject): number {
  return context.indexes.podsOf(uidOf(vmi)).filter((pod) => !podIsDown(pod)).length;
}

/** The first time the migration entered Failed, in ms. */
function failedAt(migration: KubeObject): number | undefined {
  const entry = listAt(migration, "status", "phaseTransitionTimestamps").find(
    (stamp) => textAt(stamp, "phase") === "Failed",
  );
  const at = textAt(entry, "phaseTransitionTimestamp");
  return at === undefined ? undefined : Date.parse(at);
}

const FIRST_BACKOFF_MS = 20_000;

/**
 * handleMigrationBackoff: an evacuation (or workload-update) migration that follows failed ones waits
 * 20 s after the last failure, doubling per consecutive failure. Returns the milliseconds left to wait.
 */
export function backoffRemainingMs(context: KubeVirtContext, migration: KubeObject, vmiKey: string): number {
  if (!isBackoffEligible(migration)) return 0;
  const history = context.indexes
    .migrationsOf(vmiKey)
    .filter(isBackoffEligible)
    .sort(context.indexes.creationOrder)
    .reverse();
  if (history.length < 2 || uidOf(history[0] as KubeObject) !== uidOf(migration)) return 0;
  let backoff = 0;
  for (const previous of history.slice(1)) {
    if (migrationPhase(previous) === "Succeeded") break;
    if (isDeleting(previous)) continue;
    if (migrationPhase(previous) === "Failed") backoff = backoff === 0 ? FIRST_BACKOFF_MS : backoff * 2;
  }
  const lastFailure = failedAt(history[1] as KubeObject);
  if (backoff === 0 || lastFailure === undefined) return 0;
  return Math.max(0, lastFailure + backoff - context.now());
}
