/**
 * The CPU generations a node pool may name, from the synthetic generator's catalog, and the
 * labels KubeVirt's node-labeller writes for them (kubevirt-api.md §4.1).
 *
 * The label mapping repeats src/synth/node-builder.ts `cpuLabels`, which that module does not
 * export; test/twin/scenario/node-objects.test.ts checks that both give the same labels.
 */
import { LABEL } from "../../core/model/kubevirt-labels.ts";
import { type CpuGeneration, EPYC_MILAN, EPYC_ROME, ICELAKE, SKYLAKE } from "../../synth/cpu-catalog.ts";
import { NODE_MACHINE_TYPES } from "../../synth/node-builder.ts";

export const CPU_GENERATIONS = {
  skylake: SKYLAKE,
  icelake: ICELAKE,
  "epyc-rome": EPYC_ROME,
  "epyc-milan": EPYC_MILAN,
} as const satisfies Record<string, CpuGeneration>;

export type CpuGenerationName = keyof typeof CPU_GENERATIONS;

export const CPU_GENERATION_NAMES = Object.keys(CPU_GENERATIONS) as [CpuGenerationName, ...CpuGenerationName[]];

const TSC_FREQUENCY_LABEL = "cpu-timer.node.kubevirt.io/tsc-frequency";
const TSC_SCALABLE_LABEL = "cpu-timer.node.kubevirt.io/tsc-scalable";

export function cpuLabels(cpu: CpuGeneration): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const model of cpu.usableModels) {
    labels[LABEL.cpuModel + model] = "true";
    // Only models the host can run qualify as host-model migration targets.
    labels[LABEL.cpuModelMigration + model] = "true";
  }
  for (const feature of cpu.features) labels[LABEL.cpuFeature + feature] = "true";
  labels[LABEL.hostModelCpu + cpu.hostModel] = "true";
  for (const feature of cpu.hostModelRequiredFeatures) labels[LABEL.hostModelRequiredFeature + feature] = "true";
  labels[LABEL.cpuVendor + cpu.vendor] = "true";
  labels[TSC_FREQUENCY_LABEL] = String(cpu.tscFrequency);
  labels[TSC_SCALABLE_LABEL] = "true";
  return labels;
}

/** The QEMU machine types every host offers (machine-type.node.kubevirt.io/*, KubeVirt ≥ 1.6). */
export function machineTypeLabels(): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const machineType of NODE_MACHINE_TYPES) labels[LABEL.machineType + machineType] = "true";
  return labels;
}
