/**
 * Cluster-wide settings: the KubeVirt CR's migration defaults (v1.9.0), an eviction strategy of
 * LiveMigrate as most production clusters set it, and two MigrationPolicies that the namespace
 * and VM labels of the synthetic tenants select.
 */
import {
  type ClusterSnapshot,
  DEFAULT_MIGRATION_BANDWIDTH,
  KUBEVIRT_MIGRATION_DEFAULTS,
  type SnapshotMigrationPolicy,
} from "../core/model/snapshot.ts";
import { MiB } from "./units.ts";

export function kubevirtConfig(): ClusterSnapshot["kubevirt"] {
  return {
    migrations: { ...KUBEVIRT_MIGRATION_DEFAULTS },
    cpuModel: "host-model",
    evictionStrategy: "LiveMigrate",
    defaultMigrationBandwidth: DEFAULT_MIGRATION_BANDWIDTH,
  };
}

/** Sorted by name. Databases may fall back to post-copy; dev namespaces migrate throttled. */
export function migrationPolicies(): SnapshotMigrationPolicy[] {
  return [
    {
      name: "databases-postcopy",
      labels: {},
      selectors: {
        namespaceSelector: { tier: "database" },
        virtualMachineInstanceSelector: { workload: "database" },
      },
      allowPostCopy: true,
      completionTimeoutPerGiB: 300,
    },
    {
      name: "dev-throttled",
      labels: {},
      selectors: { namespaceSelector: { env: "dev" } },
      allowAutoConverge: true,
      bandwidthPerMigration: 256 * MiB,
    },
  ];
}
