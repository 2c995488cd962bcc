/** Reading a VirtualMachineInstanceMigration the way KubeVirt's types.go helpers do. */
import { MIGRATION_PHASES } from "../../core/model/snapshot.ts";
import type { KubeObject } from "../api/types.ts";
import { textAt } from "./fields.ts";
import { ANNOTATION } from "./names.ts";

export type MigrationPhase = (typeof MIGRATION_PHASES)[number];

export function migrationPhase(migration: KubeObject): MigrationPhase {
  const phase = textAt(migration, "status", "phase");
  return MIGRATION_PHASES.find((known) => known === phase) ?? "";
}

export function isMigrationFinal(migration: KubeObject): boolean {
  const phase = migrationPhase(migration);
  return phase === "Succeeded" || phase === "Failed";
}

/** IsRunning: a target pod exists or is being prepared and the migration has not ended. */
export function isMigrationRunning(migration: KubeObject): boolean {
  const phase = migrationPhase(migration);
  return phase !== "" && phase !== "Pending" && !isMigrationFinal(migration);
}

/** TargetIsCreated: past Pending. */
export function isTargetCreated(migration: KubeObject): boolean {
  const phase = migrationPhase(migration);
  return phase !== "" && phase !== "Pending";
}

/** TargetIsHandedOff: past Scheduled. */
export function isTargetHandedOff(migration: KubeObject): boolean {
  const phase = migrationPhase(migration);
  return phase !== "" && phase !== "Pending" && phase !== "Scheduling" && phase !== "Scheduled";
}

/** migrationsutil.PriorityFromMigration: the queue priority of spec.priority. */
export function queuePriorityOf(migration: KubeObject): number {
  switch (textAt(migration, "spec", "priority")) {
    case "system-critical":
      return 100;
    case "user-triggered":
      return 50;
    case "system-maintenance":
      return 20;
    default:
      return 0;
  }
}

/** getRequeueDelayForPriority: how long a migration held back by the concurrency limits waits before retrying. */
export function requeueDelayMs(migration: KubeObject): number {
  const priority = queuePriorityOf(migration);
  if (priority >= 100) return 1000;
  if (priority >= 50) return 3000;
  return 5000;
}

/** Evacuation and workload-update migrations back off after failures; others do not (handleMigrationBackoff). */
export function isBackoffEligible(migration: KubeObject): boolean {
  const annotations = migration.metadata.annotations ?? {};
  return ANNOTATION.evacuationMigration in annotations || ANNOTATION.workloadUpdateMigration in annotations;
}
