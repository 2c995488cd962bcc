/**
 * Cluster-wide settings: the KubeVirt CR's migration defaults (v1.9.0), an eviction strategy of
 * LiveMigrate as most production clusters set it, and two MigrationPolicies that the namespace
 * and VM labels of the synthetic tenants select.
 */
import type { ClusterSnapshot, SnapshotMigrationPolicy } from "../core/model/snapshot.ts";
import { MiB } from "./units.ts";

export function kubevirtConfig(): ClusterSnapshot["kubevirt"] {
  return {
    migrations: {
      parallelMigrationsPerCluster: 5,
      parallelOutboundMigrationsPerNode: 2,
      bandwidthPerMigration: 0,
      completionTimeoutPerGiB: 150,
      progressTimeout: 150,
      allowAutoConverge: false,
      allowPostCopy: false,
      maxDowntimeMs: 900,
    },
    cpuModel: "host-model",
    evictionStrategy: "LiveMigrate",
    defaultMigrationBandwidth: 1.25e9,
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
