/**
 * The migration configuration of one VMI, resolved at target-pod handoff as virt-controller does
 * (migration.go matchMigrationPolicy → resolveMigrationConfig): the KubeVirt CR's migrations with
 * the most specific MigrationPolicy applied, through the core's resolveMigrationSettings. It is
 * written into vmi.status.migrationState.migrationConfiguration in KubeVirt's JSON shape and read back
 * from there by the (simulated) virt-handler that runs the migration.
 */
import {
  type MigrationSettings,
  type ResolvedMigrationSettings,
  resolveMigrationSettings,
} from "../../core/migration/index.ts";
import type { SnapshotMigrationPolicy } from "../../core/model/snapshot.ts";
import type { KubeObject } from "../api/types.ts";
import type { KubeVirtContext } from "./context.ts";
import { type Json, compact, flagAt, nameOf, numberAt, quantityAt, recordAt, stringMapAt } from "./fields.ts";
import { MEBIBYTE } from "../../core/migration/constants.ts";

/** A MigrationPolicy object as the core's policy; a policy without selectors never matches (nil Selectors). */
function policyOf(object: KubeObject): SnapshotMigrationPolicy | undefined {
  const spec = recordAt(object, "spec");
  const selectors = recordAt(spec, "selectors");
  if (selectors === undefined) return undefined;
  const selectorAt = (key: string): Record<string, string> | undefined =>
    recordAt(selectors, key) === undefined ? undefined : stringMapAt(selectors, key);
  return compact({
    name: nameOf(object),
    labels: stringMapAt(object, "metadata", "labels"),
    selectors: compact({
      namespaceSelector: selectorAt("namespaceSelector"),
      virtualMachineInstanceSelector: selectorAt("virtualMachineInstanceSelector"),
    }),
    allowAutoConverge: flagAt(spec, "allowAutoConverge"),
    bandwidthPerMigration: quantityAt(spec, "bandwidthPerMigration"),
    completionTimeoutPerGiB: numberAt(spec, "completionTimeoutPerGiB"),
    allowPostCopy: flagAt(spec, "allowPostCopy"),
    allowWorkloadDisruption: flagAt(spec, "allowWorkloadDisruption"),
    maxDowntimeMs: numberAt(spec, "maxDowntimeMs"),
  });
}

export function resolveSettingsFor(context: KubeVirtContext, vmi: KubeObject): ResolvedMigrationSettings {
  const policies = context.store
    .list(context.resources.migrationPolicies)
    .map(policyOf)
    .filter((policy): policy is SnapshotMigrationPolicy => policy !== undefined)
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  const namespace = context.store.get(context.resources.namespaces, undefined, vmi.metadata.namespace ?? "");
  return resolveMigrationSettings({
    configuration: context.config().migrations,
    policies,
    vmiLabels: { ...vmi.metadata.labels },
    namespaceLabels: { ...namespace?.metadata.labels },
  });
}

/** A byte rate as a Kubernetes quantity: whole MiB as "<n>Mi" ("0Mi" for unlimited), else bytes. */
function bandwidthQuantity(bytesPerSecond: number): string {
  return bytesPerSecond % MEBIBYTE === 0 ? `${bytesPerSecond / MEBIBYTE}Mi` : String(bytesPerSecond);
}

/** VMIMConfigurationOptions as KubeVirt writes it into the VMI's migration state. */
export function migrationConfigurationJson(settings: MigrationSettings, nodeDrainTaintKey: string): Json {
  return {
    nodeDrainTaintKey,
    parallelOutboundMigrationsPerNode: settings.parallelOutboundMigrationsPerNode,
    parallelMigrationsPerCluster: settings.parallelMigrationsPerCluster,
    allowAutoConverge: settings.allowAutoConverge,
    bandwidthPerMigration: bandwidthQuantity(settings.bandwidthPerMigration),
    completionTimeoutPerGiB: settings.completionTimeoutPerGiB,
    maxDowntimeMs: settings.maxDowntimeMs,
    progressTimeout: settings.progressTimeout,
    unsafeMigrationOverride: false,
    allowPostCopy: settings.allowPostCopy,
    allowWorkloadDisruption: settings.allowWorkloadDisruption,
  };
}

/** virt-handler's reading of migrationState.migrationConfiguration, KubeVirt's defaults for what is missing. */
export function settingsFromJson(configuration: unknown, defaults: MigrationSettings): MigrationSettings {
  const allowPostCopy = flagAt(configuration, "allowPostCopy") ?? defaults.allowPostCopy;
  return {
    parallelMigrationsPerCluster:
      numberAt(configuration, "parallelMigrationsPerCluster") ?? defaults.parallelMigrationsPerCluster,
    parallelOutboundMigrationsPerNode:
      numberAt(configuration, "parallelOutboundMigrationsPerNode") ?? defaults.parallelOutboundMigrationsPerNode,
    bandwidthPerMigration: quantityAt(configuration, "bandwidthPerMigration") ?? defaults.bandwidthPerMigration,
    completionTimeoutPerGiB: numberAt(configuration, "completionTimeoutPerGiB") ?? defaults.completionTimeoutPerGiB,
    progressTimeout: numberAt(configuration, "progressTimeout") ?? defaults.progressTimeout,
    allowAutoConverge: flagAt(configuration, "allowAutoConverge") ?? defaults.allowAutoConverge,
    allowPostCopy,
    allowWorkloadDisruption: flagAt(configuration, "allowWorkloadDisruption") ?? allowPostCopy,
    maxDowntimeMs: numberAt(configuration, "maxDowntimeMs") ?? defaults.maxDowntimeMs,
  };
}
