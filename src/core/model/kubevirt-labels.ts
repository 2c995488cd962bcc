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

const CPU_LABEL_PREFIXES = [
  LABEL.cpuVendor,
  LABEL.hostModelCpu,
  LABEL.cpuModel,
  LABEL.cpuModelMigration,
  LABEL.cpuFeature,
  LABEL.hostModelRequiredFeature,
] as const;

type CpuLabelPrefix = (typeof CPU_LABEL_PREFIXES)[number];

/** One pass over the labels, sorting each `true` CPU label under its prefix. */
function cpuLabelSuffixes(labels: Labels): Map<CpuLabelPrefix, string[]> {
  const found = new Map<CpuLabelPrefix, string[]>(CPU_LABEL_PREFIXES.map((prefix) => [prefix, []]));
  for (const [key, value] of Object.entries(labels)) {
    if (value !== "true" || !key.includes(".node.kubevirt.io/")) continue;
    const prefix = CPU_LABEL_PREFIXES.find((candidate) => key.startsWith(candidate));
    if (prefix) found.get(prefix)?.push(key.slice(prefix.length));
  }
  for (const list of found.values()) list.sort();
  return found;
}

export function nodeCpuFromLabels(labels: Labels): NodeCpu {
  const suffixes = cpuLabelSuffixes(labels);
  const of = (prefix: CpuLabelPrefix): string[] => suffixes.get(prefix) ?? [];
  return {
    vendor: of(LABEL.cpuVendor)[0],
    hostModel: of(LABEL.hostModelCpu)[0],
    models: new Set(of(LABEL.cpuModel)),
    migrationModels: new Set(of(LABEL.cpuModelMigration)),
    features: new Set(of(LABEL.cpuFeature)),
    hostModelRequiredFeatures: new Set(of(LABEL.hostModelRequiredFeature)),
  };
}

export function zoneOf(labels: Labels): string {
  return labels[LABEL.zone] ?? "";
}
