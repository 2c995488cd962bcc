/**
 * The migration target pod (kubevirt/kubevirt pkg/virt-controller/watch/migration/migration.go
 * createTargetPod): the VMI's launcher pod, kept off the source node by a required anti-affinity on
 * the VMI's pods, restricted by the migration's addedNodeSelector (the VMI's own selectors win on a
 * clash), pinned to host-model-compatible CPUs and to the source's CPU vendor.
 */
import type { KubeObject } from "../api/types.ts";
import type { KubeVirtConfig } from "./config.ts";
import { type Json, listAt, nameOf, recordAt, stringMapAt, uidOf } from "./fields.ts";
import { renderLauncherPod } from "./launcher-pod.ts";
import { ANNOTATION, LABEL } from "./names.ts";
import { cpuVendorKey, hostModelSelectorFromNode } from "./node-selectors.ts";
import { type Vmi, isHostModel } from "./vmi-spec.ts";

export type TargetPodResult = { readonly pod: KubeObject } | { readonly error: string };

/** createMigrationPodAntiAffinityRule: never next to another pod of the same VMI. */
function addAntiAffinity(spec: Json, vmi: Vmi): void {
  const term = { labelSelector: { matchLabels: { [LABEL.createdBy]: uidOf(vmi) } }, topologyKey: LABEL.hostname };
  const affinity = recordAt(spec, "affinity") ?? {};
  const antiAffinity = recordAt(affinity, "podAntiAffinity") ?? {};
  const required = listAt(antiAffinity, "requiredDuringSchedulingIgnoredDuringExecution");
  spec.affinity = {
    ...affinity,
    podAntiAffinity: { ...antiAffinity, requiredDuringSchedulingIgnoredDuringExecution: [...required, term] },
  };
}

/**
 * prepareNodeSelectorForHostCpuModel: after a first migration the source pod already carries the
 * cpu-feature/cpu-model-migration selectors, which are kept so the VM can move back; otherwise they
 * come from the source node's host-model labels.
 */
function hostModelSelector(sourcePod: KubeObject, sourceNode: KubeObject | undefined): Record<string, string> | string {
  const carried: Record<string, string> = {};
  for (const [key, value] of Object.entries(stringMapAt(sourcePod, "spec", "nodeSelector"))) {
    if (key.includes(LABEL.cpuFeature) || key.includes(LABEL.cpuModelMigration)) carried[key] = value;
  }
  if (Object.keys(carried).length > 0) return carried;
  const fromNode = hostModelSelectorFromNode({ ...sourceNode?.metadata.labels });
  return fromNode ?? `unable to locate host cpu model, does not contain label "${LABEL.hostModelCpu}" with information`;
}

export interface TargetPodInput {
  readonly vmi: Vmi;
  readonly migration: KubeObject;
  readonly sourcePod: KubeObject;
  readonly sourceNode: KubeObject | undefined;
  readonly config: KubeVirtConfig;
}

export function renderTargetPod(input: TargetPodInput): TargetPodResult {
  const { vmi, migration, sourcePod, sourceNode, config } = input;
  const pod = renderLauncherPod(vmi, config, { initialPlacement: false });
  const spec = pod.spec ?? {};
  addAntiAffinity(spec, vmi);
  const nodeSelector: Record<string, string> = {
    ...stringMapAt(migration, "spec", "addedNodeSelector"),
    ...stringMapAt(spec, "nodeSelector"),
  };
  if (isHostModel(vmi)) {
    const selector = hostModelSelector(sourcePod, sourceNode);
    if (typeof selector === "string") return { error: selector };
    Object.assign(nodeSelector, selector);
  }
  // Ensure migration happens only between nodes with the same CPU vendor (AMD↔Intel cannot migrate).
  if (cpuVendorKey(nodeSelector) === undefined) {
    const vendor = cpuVendorKey({ ...sourceNode?.metadata.labels });
    if (vendor !== undefined) nodeSelector[vendor] = "true";
  }
  spec.nodeSelector = nodeSelector;
  pod.metadata.labels = { ...pod.metadata.labels, [LABEL.migrationJobUid]: uidOf(migration) };
  pod.metadata.annotations = { ...pod.metadata.annotations, [ANNOTATION.migrationJobName]: nameOf(migration) };
  return { pod };
}
