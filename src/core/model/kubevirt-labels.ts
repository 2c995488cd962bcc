/**
 * The node labels KubeVirt's node-labeller and heartbeat write, and what they say about a host CPU
 * (kubevirt/kubevirt pkg/virt-handler/node-labeller, see shared reference kubevirt-api.md §4.1).
 */
import type { Labels } from "./selectors.ts";

export const LABEL = {
  cpuModel: "cpu-model.node.kubevirt.io/",
  cpuModelMigration: "cpu-model-migration.node.kubevirt.io/",
  cpuFeature: "cpu-feature.node.kubevirt.io/",
  hostModelCpu: "host-model-cpu.node.kubevirt.io/",
  hostModelRequiredFeature: "host-model-required-features.node.kubevirt.io/",
  cpuVendor: "cpu-vendor.node.kubevirt.io/",
  machineType: "machine-type.node.kubevirt.io/",
  tscFrequencyScheduling: "scheduling.node.kubevirt.io/tsc-frequency-",
  obsoleteHostModel: "node-labeller.kubevirt.io/obsolete-host-model",
  schedulable: "kubevirt.io/schedulable",
  cpuManager: "kubevirt.io/cpumanager",
  realtime: "kubevirt.io/realtime",
  hostname: "kubernetes.io/hostname",
  zone: "topology.kubernetes.io/zone",
} as const;

/** What a node's labels say about its CPU. */
export interface NodeCpu {
  readonly vendor: string | undefined;
  readonly hostModel: string | undefined;
  /** Models usable to boot a VM (`cpu-model.node.kubevirt.io/*`). */
  readonly models: ReadonlySet<string>;
  /** Every model the host can run, usable or not: the host-model migration target set. */
  readonly migrationModels: ReadonlySet<string>;
  readonly features: ReadonlySet<string>;
  readonly hostModelRequiredFeatures: ReadonlySet<string>;
}

function suffixesWithPrefix(labels: Labels, prefix: string): string[] {
  const found: string[] = [];
  for (const [key, value] of Object.entries(labels)) {
    if (key.startsWith(prefix) && value === "true") found.push(key.slice(prefix.length));
  }
  return found.sort();
}

export function nodeCpuFromLabels(labels: Labels): NodeCpu {
  return {
    vendor: suffixesWithPrefix(labels, LABEL.cpuVendor)[0],
    hostModel: suffixesWithPrefix(labels, LABEL.hostModelCpu)[0],
    models: new Set(suffixesWithPrefix(labels, LABEL.cpuModel)),
    migrationModels: new Set(suffixesWithPrefix(labels, LABEL.cpuModelMigration)),
    features: new Set(suffixesWithPrefix(labels, LABEL.cpuFeature)),
    hostModelRequiredFeatures: new Set(suffixesWithPrefix(labels, LABEL.hostModelRequiredFeature)),
  };
}

export function zoneOf(labels: Labels): string {
  return labels[LABEL.zone] ?? "";
}
