/**
 * The cluster-wide objects of a scenario: namespaces, the KubeVirt CR with its migration
 * settings, MigrationPolicies, and whatever other objects the scenario lists.
 */
import { KUBEVIRT_MIGRATION_DEFAULTS } from "../../core/model/snapshot.ts";
import type { KubeObject } from "../api/types.ts";
import type { KubeVirtConfig, MigrationPolicy } from "./kubevirt-schema.ts";
import { bytesQuantity } from "./quantities.ts";
import type { ScenarioSpec } from "./schema.ts";
import { cloneJson } from "../api/json-clone.ts";

/** Namespaces every cluster has, and the one KubeVirt is installed in. */
export const SYSTEM_NAMESPACES = ["default", "kube-system", "kube-node-lease", "kubevirt"] as const;

export function namespaceObject(name: string, labels: Readonly<Record<string, string>> = {}): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name, labels: { ...labels, "kubernetes.io/metadata.name": name } },
    spec: { finalizers: ["kubernetes"] },
    status: { phase: "Active" },
  };
}

/** System namespaces, then the listed ones, then any a group uses that is not listed; no repeats. */
export function namespaceObjects(spec: ScenarioSpec): KubeObject[] {
  const labelsByName = new Map<string, Readonly<Record<string, string>>>();
  for (const name of SYSTEM_NAMESPACES) labelsByName.set(name, {});
  for (const namespace of spec.namespaces) labelsByName.set(namespace.name, namespace.labels);
  for (const group of spec.vmGroups) if (!labelsByName.has(group.namespace)) labelsByName.set(group.namespace, {});
  return [...labelsByName].map(([name, labels]) => namespaceObject(name, labels));
}

/** KubeVirt's defaults (v1.9, kubevirt-api.md §3.3) under the scenario's own settings. */
function migrations(config: KubeVirtConfig): Record<string, unknown> {
  const defaults = KUBEVIRT_MIGRATION_DEFAULTS;
  return {
    parallelMigrationsPerCluster: defaults.parallelMigrationsPerCluster,
    parallelOutboundMigrationsPerNode: defaults.parallelOutboundMigrationsPerNode,
    bandwidthPerMigration: defaults.bandwidthPerMigration === 0 ? "0Mi" : bytesQuantity(defaults.bandwidthPerMigration),
    completionTimeoutPerGiB: defaults.completionTimeoutPerGiB,
    progressTimeout: defaults.progressTimeout,
    maxDowntimeMs: defaults.maxDowntimeMs,
    allowAutoConverge: defaults.allowAutoConverge,
    allowPostCopy: defaults.allowPostCopy,
    unsafeMigrationOverride: false,
    nodeDrainTaintKey: "kubevirt.io/drain",
    ...config.migrations,
  };
}

export function kubevirtObject(config: KubeVirtConfig): KubeObject {
  const configuration: Record<string, unknown> = {
    developerConfiguration: { featureGates: [...config.featureGates] },
    migrations: migrations(config),
  };
  if (config.evictionStrategy !== undefined) configuration.evictionStrategy = config.evictionStrategy;
  if (config.cpuModel !== undefined) configuration.cpuModel = config.cpuModel;
  return {
    apiVersion: "kubevirt.io/v1",
    kind: "KubeVirt",
    metadata: { name: "kubevirt", namespace: "kubevirt" },
    spec: {
      certificateRotateStrategy: {},
      configuration,
      customizeComponents: {},
      imagePullPolicy: "IfNotPresent",
      workloadUpdateStrategy: {},
    },
    status: {
      phase: "Deployed",
      observedKubeVirtVersion: "v1.9.0",
      targetKubeVirtVersion: "v1.9.0",
      conditions: [
        { type: "Available", status: "True", reason: "AllComponentsReady", message: "All components are ready." },
        { type: "Progressing", status: "False", reason: "AllComponentsReady", message: "All components are ready." },
        { type: "Degraded", status: "False", reason: "AllComponentsReady", message: "All components are ready." },
      ],
    },
  };
}

export function migrationPolicyObject(policy: MigrationPolicy): KubeObject {
  const { name, labels, ...spec } = policy;
  return {
    apiVersion: "migrations.kubevirt.io/v1alpha1",
    kind: "MigrationPolicy",
    metadata: { name, labels: { ...labels } },
    spec: cloneJson(spec),
  };
}
