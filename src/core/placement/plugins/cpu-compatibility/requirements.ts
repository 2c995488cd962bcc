/**
 * The node labels a VM's CPU needs on a target, derived the way KubeVirt renders the
 * virt-launcher pod's node selectors (pkg/virt-controller/services/nodeselectorrenderer.go and,
 * for migrations, watch/migration prepareNodeSelectorForHostCpuModel; shared reference
 * kubevirt-api.md §4.2). host-passthrough gets no selector from KubeVirt, so kubedrs adds its own
 * rule: the same host CPU model and vendor.
 */
import type { NodeInfo, VmInfo } from "../../../model/cluster.ts";
import { LABEL } from "../../../model/kubevirt-labels.ts";

export interface LabelRequirement {
  readonly key: string;
  /** The value the label must have; undefined means the label must be absent. */
  readonly value: string | undefined;
  readonly why: string;
}

function bootRequirements(vm: VmInfo): LabelRequirement[] {
  const needs: LabelRequirement[] = [];
  const { cpu } = vm;
  if (cpu.mode === "named")
    needs.push({ key: LABEL.cpuModel + cpu.model, value: "true", why: `CPU model ${cpu.model}` });
  if (cpu.mode === "host-model") {
    needs.push({
      key: LABEL.obsoleteHostModel,
      value: undefined,
      why: "host-model needs a host CPU that is not obsolete",
    });
  }
  for (const feature of cpu.requiredFeatures)
    needs.push({ key: LABEL.cpuFeature + feature, value: "true", why: `required CPU feature ${feature}` });
  for (const feature of cpu.forbiddenFeatures)
    needs.push({ key: LABEL.cpuFeature + feature, value: undefined, why: `forbidden CPU feature ${feature}` });
  if (vm.machineType)
    needs.push({ key: LABEL.machineType + vm.machineType, value: "true", why: `machine type ${vm.machineType}` });
  if (cpu.dedicated)
    needs.push({ key: LABEL.cpuManager, value: "true", why: "dedicated CPUs need the static CPU manager" });
  if (cpu.realtime) needs.push({ key: LABEL.realtime, value: "true", why: "realtime vCPUs" });
  if (vm.tscFrequency) {
    needs.push({
      key: LABEL.tscFrequencyScheduling + String(vm.tscFrequency),
      value: "true",
      why: `TSC frequency ${vm.tscFrequency} Hz`,
    });
  }
  return needs;
}

/** What KubeVirt adds for a host-model VM's migration target: the boot host's CPU model and features. */
function hostModelMigrationRequirements(vm: VmInfo, source: NodeInfo): LabelRequirement[] {
  if (vm.migrationSelectors && Object.keys(vm.migrationSelectors).length > 0) {
    return Object.entries(vm.migrationSelectors).map(([key, value]) => ({
      key,
      value,
      why: "CPU of the host the VM booted on (carried over from an earlier migration)",
    }));
  }
  const { hostModel, hostModelRequiredFeatures } = source.cpu;
  if (!hostModel) return [];
  const needs: LabelRequirement[] = [
    { key: LABEL.cpuModelMigration + hostModel, value: "true", why: `host-model VM booted on a ${hostModel} host` },
  ];
  for (const feature of hostModelRequiredFeatures) {
    needs.push({
      key: LABEL.cpuFeature + feature,
      value: "true",
      why: `feature ${feature} of the ${hostModel} host model`,
    });
  }
  return needs;
}

/** Everything a migration target must carry, beyond the VM's own nodeSelector. */
export function migrationRequirements(vm: VmInfo, source: NodeInfo): LabelRequirement[] {
  const needs = bootRequirements(vm);
  if (vm.cpu.mode === "host-model") needs.push(...hostModelMigrationRequirements(vm, source));
  const hasVendor = [...needs.map((need) => need.key), ...Object.keys(vm.nodeSelector)].some((key) =>
    key.startsWith(LABEL.cpuVendor),
  );
  if (!hasVendor && source.cpu.vendor) {
    // KubeVirt ≥ 1.8 pins migrations to the source's CPU vendor (no AMD↔Intel live migration).
    needs.push({
      key: LABEL.cpuVendor + source.cpu.vendor,
      value: "true",
      why: `same CPU vendor as the source (${source.cpu.vendor})`,
    });
  }
  return needs;
}

export function startRequirements(vm: VmInfo): LabelRequirement[] {
  return bootRequirements(vm);
}

export function firstUnmet(needs: readonly LabelRequirement[], node: NodeInfo): LabelRequirement | undefined {
  return needs.find((need) =>
    need.value === undefined ? node.labels[need.key] !== undefined : node.labels[need.key] !== need.value,
  );
}

/** kubedrs' rule for host-passthrough: the guest sees the host CPU as is, so the target must match it. */
export function passthroughMismatch(source: NodeInfo, target: NodeInfo, checkFeatures: boolean): string | undefined {
  if (source.cpu.vendor !== target.cpu.vendor) {
    return `host-passthrough needs the same CPU vendor (source ${source.cpu.vendor ?? "unknown"}, node ${target.cpu.vendor ?? "unknown"})`;
  }
  if (source.cpu.hostModel !== target.cpu.hostModel) {
    return `host-passthrough needs the same host CPU model (source ${source.cpu.hostModel ?? "unknown"}, node ${target.cpu.hostModel ?? "unknown"})`;
  }
  if (!checkFeatures) return undefined;
  const missing = [...source.cpu.features].find((feature) => !target.cpu.features.has(feature));
  return missing ? `host-passthrough: node lacks CPU feature ${missing} the source host has` : undefined;
}
