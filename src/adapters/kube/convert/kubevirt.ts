/**
 * The KubeVirt CR's cluster-wide settings that matter for planning. It is one object the cluster
 * cannot do without, so odd fields fall back to KubeVirt's defaults (with a warning) instead of
 * leaving it out.
 */
import {
  type ClusterSnapshot,
  DEFAULT_MIGRATION_BANDWIDTH,
  KUBEVIRT_MIGRATION_DEFAULTS,
  type MigrationConfiguration,
} from "../../../core/model/snapshot.ts";
import { compact } from "./compact.ts";
import { EVICTION_STRATEGIES } from "./enums.ts";
import { Field } from "./field.ts";
import { Issues, type WithWarnings } from "./issues.ts";
import { describeObject, type JsonObject } from "./meta.ts";

export type SnapshotKubevirt = ClusterSnapshot["kubevirt"];

function migrationsOf(migrations: Field): MigrationConfiguration {
  const defaults = KUBEVIRT_MIGRATION_DEFAULTS;
  return compact({
    parallelMigrationsPerCluster:
      migrations.key("parallelMigrationsPerCluster").integer(1) ?? defaults.parallelMigrationsPerCluster,
    parallelOutboundMigrationsPerNode:
      migrations.key("parallelOutboundMigrationsPerNode").integer(1) ?? defaults.parallelOutboundMigrationsPerNode,
    bandwidthPerMigration: migrations.key("bandwidthPerMigration").quantity() ?? defaults.bandwidthPerMigration,
    completionTimeoutPerGiB: migrations.key("completionTimeoutPerGiB").integer(0) ?? defaults.completionTimeoutPerGiB,
    progressTimeout: migrations.key("progressTimeout").integer(0) ?? defaults.progressTimeout,
    allowAutoConverge: migrations.key("allowAutoConverge").boolean() ?? defaults.allowAutoConverge,
    allowPostCopy: migrations.key("allowPostCopy").boolean() ?? defaults.allowPostCopy,
    // Unset means "follow allowPostCopy", which the core resolves; so it stays unset here.
    allowWorkloadDisruption: migrations.key("allowWorkloadDisruption").boolean(),
    maxDowntimeMs: migrations.key("maxDowntimeMs").integer(1) ?? defaults.maxDowntimeMs,
  });
}

/** obsoleteCPUModels is a map from model to whether it is obsolete. */
function obsoleteModelsOf(models: Field): string[] | undefined {
  if (!models.present) return undefined;
  return models
    .entries()
    .filter(([, obsolete]) => obsolete.boolean() === true)
    .map(([model]) => model)
    .sort();
}

/** The snapshot's kubevirt section; without a KubeVirt CR, KubeVirt's defaults. */
export function kubevirtFromKube(kubevirt?: JsonObject): WithWarnings<SnapshotKubevirt> {
  const issues = new Issues(describeObject("KubeVirt", kubevirt));
  const configuration = Field.root(kubevirt, issues).key("spec").key("configuration");
  const section = compact({
    migrations: migrationsOf(configuration.key("migrations")),
    cpuModel: configuration.key("cpuModel").string() ?? "host-model",
    obsoleteCpuModels: obsoleteModelsOf(configuration.key("obsoleteCPUModels")),
    evictionStrategy: configuration.key("evictionStrategy").oneOf(EVICTION_STRATEGIES) ?? "None",
    defaultMigrationBandwidth: DEFAULT_MIGRATION_BANDWIDTH,
  });
  return issues.withDefaults(section, "KubeVirt's default is used instead");
}
