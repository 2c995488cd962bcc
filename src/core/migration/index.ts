/** The live-migration cost model: what a migration will cost, and under which KubeVirt settings it runs. */
export { predictMigration } from "./predict.ts";
export {
  effectiveBandwidth,
  effectiveDowntimeLimitMs,
  matchMigrationPolicy,
  migrationParamsFor,
  resolveMigrationSettings,
  type MigratingVm,
  type MigrationSettings,
  type MigrationSettingsInput,
  type ResolvedMigrationSettings,
} from "./settings.ts";
export { completionTimeoutSeconds, migrationDataUnits } from "./kubevirt-monitor.ts";
export type {
  MigrationOutcome,
  MigrationParams,
  MigrationPhase,
  MigrationPrediction,
  MigrationRound,
} from "./types.ts";
