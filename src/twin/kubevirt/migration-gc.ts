/**
 * garbageCollectFinalizedMigrations (kubevirt/kubevirt pkg/virt-controller/watch/migration/migration.go):
 * only the five most recent finalized migrations of a VMI are kept. An older one is deleted with the
 * pod it left behind — the target pod of a failed migration, the source pod of a successful one.
 */
import { ApiError } from "../api/status.ts";
import type { KubeObject } from "../api/types.ts";
import type { KubeVirtContext } from "./context.ts";
import { flagAt, isDeleting, keyOf, nameOf, namespaceOf, textAt } from "./fields.ts";
import { isMigrationFinal } from "./migration-status.ts";
import { ACTOR } from "./names.ts";

/** defaultFinalizedMigrationGarbageCollectionBuffer. */
export const FINALIZED_MIGRATIONS_KEPT = 5;

function leftoverPod(migration: KubeObject): string | undefined {
  const state = migration.status?.migrationState;
  if (flagAt(state, "failed") === true) return textAt(state, "targetPod");
  if (flagAt(state, "completed") === true) return textAt(state, "sourcePod");
  return undefined;
}

/** Deletes, ignoring an object that is already gone (as KubeVirt ignores NotFound here). */
function deleteIfPresent(remove: () => void): void {
  try {
    remove();
  } catch (error) {
    if (!(error instanceof ApiError) || error.status.code !== 404) throw error;
  }
}

export function collectFinalizedMigrations(context: KubeVirtContext, vmi: KubeObject): void {
  const finalized = context.indexes
    .migrationsOf(keyOf(vmi))
    .filter((migration) => isMigrationFinal(migration) && !isDeleting(migration))
    .sort(context.indexes.creationOrder);
  const excess = finalized.length - FINALIZED_MIGRATIONS_KEPT;
  for (const migration of finalized.slice(0, Math.max(0, excess))) {
    const pod = leftoverPod(migration);
    const namespace = namespaceOf(migration);
    if (pod !== undefined) {
      deleteIfPresent(() => context.store.delete(context.resources.pods, namespace, pod, { actor: ACTOR.controller }));
    }
    deleteIfPresent(() =>
      context.store.delete(context.resources.migrations, namespace, nameOf(migration), { actor: ACTOR.controller }),
    );
  }
}
