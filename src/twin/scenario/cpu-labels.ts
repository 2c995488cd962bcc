/**
 * The CPU generations a node pool may name, from the synthetic generator's catalog, and the
 * labels KubeVirt's node-labeller writes for them (kubevirt-api.md §4.1): the generator's, so a
 * scenario's hosts and a synthetic snapshot's carry the same.
 */
import { type CpuGeneration, EPYC_MILAN, EPYC_ROME, ICELAKE, SKYLAKE } from "../../synth/cpu-catalog.ts";
export { cpuLabels } from "../../synth/node-builder.ts";

export const CPU_GENERATIONS = {
  skylake: SKYLAKE,
  icelake: ICELAKE,
  "epyc-rome": EPYC_ROME,
  "epyc-milan": EPYC_MILAN,
} as const satisfies Record<string, CpuGeneration>;

export type CpuGenerationName = keyof typeof CPU_GENERATIONS;

export const CPU_GENERATION_NAMES = Object.keys(CPU_GENERATIONS) as [CpuGenerationName, ...CpuGenerationName[]];
