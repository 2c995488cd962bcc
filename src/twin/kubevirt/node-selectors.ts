/**
 * The node selectors and node affinity KubeVirt puts on a virt-launcher pod
 * (pkg/virt-controller/services/nodeselectorrenderer.go NewNodeSelectorRenderer/Render and
 * template.go setNodeAffinityForHostModelCpuModel, setNodeAffinityForbiddenFeaturePolicy).
 */
import type { KubeVirtConfig } from "./config.ts";
import { type Json, listAt, recordAt, stringMapAt, textAt } from "./fields.ts";
import { LABEL } from "./names.ts";
import { type Vmi, cpuModelOf, isDedicated } from "./vmi-spec.ts";
import { cloneJson } from "../api/json-clone.ts";

/** CPUFeatureLabelsFromCPUFeatures: features with policy require (or none) must be on the node. */
function requiredFeatureLabels(vmi: Vmi): string[] {
  return listAt(vmi, "spec", "domain", "cpu", "features")
    .filter((feature) => {
      const policy = textAt(feature, "policy") ?? "";
      return policy === "" || policy === "require";
    })
    .map((feature) => LABEL.cpuFeature + (textAt(feature, "name") ?? ""));
}

function forbiddenFeatureLabels(vmi: Vmi): string[] {
  return listAt(vmi, "spec", "domain", "cpu", "features")
    .filter((feature) => textAt(feature, "policy") === "forbid")
    .map((feature) => LABEL.cpuFeature + (textAt(feature, "name") ?? ""));
}

/** The machine type KubeVirt selects on: the one the VMI booted with, else the one it asks for. */
function machineTypeOf(vmi: Vmi): string | undefined {
  return textAt(vmi, "status", "machine", "type") || textAt(vmi, "spec", "domain", "machine", "type") || undefined;
}

/**
 * Render: kubevirt.io/schedulable and the architecture, then the cluster-wide selectors, then the
 * VMI's own (the VMI wins), then the labels its CPU, machine type and realtime setting require.
 */
export function launcherNodeSelector(vmi: Vmi, config: KubeVirtConfig): Record<string, string> {
  const selector: Record<string, string> = { [LABEL.schedulable]: "true" };
  const architecture = textAt(vmi, "spec", "architecture");
  if (architecture) selector[LABEL.arch] = architecture.toLowerCase();
  Object.assign(selector, config.nodeSelectors, stringMapAt(vmi, "spec", "nodeSelector"));
  if (isDedicated(vmi)) selector[LABEL.cpuManager] = "true";
  const model = cpuModelOf(vmi);
  if (model !== "" && model !== "host-model" && model !== "host-passthrough") selector[LABEL.cpuModel + model] = "true";
  const machineType = machineTypeOf(vmi);
  if (machineType !== undefined) selector[LABEL.machineType + machineType] = "true";
  // The feature labels are added only with a model set (WithModelAndFeatureLabels needs one), which the mutator ensures.
  if (model !== "") for (const label of requiredFeatureLabels(vmi)) selector[label] = "true";
  if (recordAt(vmi, "spec", "domain", "cpu", "realtime") !== undefined) selector[LABEL.realtime] = "true";
  return selector;
}

/** modifyNodeAffintyToRejectLabel: a DoesNotExist requirement ANDed into every required term. */
function rejectLabel(affinity: Json, label: string): Json {
  const requirement = { key: label, operator: "DoesNotExist" };
  const nodeAffinity = recordAt(affinity, "nodeAffinity") ?? {};
  const required = recordAt(nodeAffinity, "requiredDuringSchedulingIgnoredDuringExecution");
  const terms = listAt(required, "nodeSelectorTerms");
  const nextTerms =
    required === undefined
      ? [{ matchExpressions: [requirement] }]
      : terms.map((term) => ({
          ...recordAt(term),
          matchExpressions: [...listAt(term, "matchExpressions"), requirement],
        }));
  return {
    ...affinity,
    nodeAffinity: {
      ...nodeAffinity,
      requiredDuringSchedulingIgnoredDuringExecution: { ...required, nodeSelectorTerms: nextTerms },
    },
  };
}

/** The VMI's affinity, plus host-model's obsolete-CPU exclusion and the forbidden CPU features. */
export function launcherAffinity(vmi: Vmi): Json | undefined {
  const own = recordAt(vmi, "spec", "affinity");
  let affinity: Json | undefined = own === undefined ? undefined : cloneJson(own);
  const model = cpuModelOf(vmi);
  if (model === "" || model === "host-model") affinity = rejectLabel(affinity ?? {}, LABEL.obsoleteHostModel);
  for (const label of forbiddenFeatureLabels(vmi)) affinity = rejectLabel(affinity ?? {}, label);
  return affinity;
}

/** The labels of a node that make a host-model VM's first migration target compatible (getHostCpuModelFromMap). */
export function hostModelSelectorFromNode(
  nodeLabels: Readonly<Record<string, string>>,
): Record<string, string> | undefined {
  const selector: Record<string, string> = {};
  let hostModel: string | undefined;
  for (const [key, value] of Object.entries(nodeLabels)) {
    if (key.startsWith(LABEL.hostModelCpu)) {
      hostModel = key.slice(LABEL.hostModelCpu.length);
      selector[LABEL.cpuModelMigration + hostModel] = value;
    }
    if (key.startsWith(LABEL.hostModelRequiredFeature)) {
      selector[LABEL.cpuFeature + key.slice(LABEL.hostModelRequiredFeature.length)] = value;
    }
  }
  return hostModel === undefined ? undefined : selector;
}

/** The cpu-vendor.node.kubevirt.io/* key of a label or selector map, if any (getCPUVendorLabelKey). */
export function cpuVendorKey(labels: Readonly<Record<string, string>>): string | undefined {
  return Object.keys(labels)
    .sort()
    .find((key) => key.startsWith(LABEL.cpuVendor));
}
