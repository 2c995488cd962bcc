/** Enumerations shared by several converters, typed against the snapshot's own. */
import type { SnapshotVm } from "../../../core/model/snapshot.ts";

export const CONDITION_STATUSES = ["True", "False", "Unknown"] as const;

export const EVICTION_STRATEGIES = [
  "None",
  "LiveMigrate",
  "LiveMigrateIfPossible",
  "External",
] as const satisfies readonly NonNullable<SnapshotVm["evictionStrategy"]>[];
