import { describe, it } from "vitest";
import { AMD_LABELS, INTEL_LABELS, type MutableVm, buildNode, buildVm } from "../../../../../test/support/builders.ts";
import {
  contextFor,
  expectVerdict,
  filterVerdict,
  withCpuLabels,
} from "../../../../../test/support/placement-context.ts";
import type { Purpose } from "../../framework.ts";
import { cpuCompatibility } from "./index.ts";

type Labels = Readonly<Record<string, string>>;

const SKYLAKE: Labels = INTEL_LABELS;
/** A newer Intel host: boots Skylake too, and lists it among its migration models. */
const CASCADELAKE: Labels = {
  "cpu-vendor.node.kubevirt.io/Intel": "true",
  "host-model-cpu.node.kubevirt.io/Cascadelake-Server": "true",
  "cpu-model.node.kubevirt.io/Cascadelake-Server": "true",
  "cpu-model.node.kubevirt.io/Skylake-Server-IBRS": "true",
  "cpu-model-migration.node.kubevirt.io/Cascadelake-Server": "true",
  "cpu-model-migration.node.kubevirt.io/Skylake-Server-IBRS": "true",
  "cpu-feature.node.kubevirt.io/avx512f": "true",
  "cpu-feature.node.kubevirt.io/avx512vnni": "true",
};
const MILAN: Labels = AMD_LABELS;
/** An old named model both vendors' hosts can boot. */
const WESTMERE: Labels = { "cpu-model.node.kubevirt.io/Westmere": "true" };
const NO_VENDOR_SKYLAKE: Labels = Object.fromEntries(
  Object.entries(SKYLAKE).filter(([key]) => !key.startsWith("cpu-vendor.")),
);

function cpu(
  model: string,
  features: { name: string; policy?: "require" | "force" | "forbid" | "optional" | "disable" | "" }[] = [],
) {
  return (vm: MutableVm) => {
    vm.cpu = { ...vm.cpu, model, features };
  };
}

function all(...applies: ((vm: MutableVm) => void)[]) {
  return (vm: MutableVm) => applies.forEach((apply) => apply(vm));
}

interface Case {
  name: string;
  /** CPU labels of the source n1 (default Skylake). */
  source?: Labels;
  /** Labels of the target n2 (CPU labels replaced, others added). */
  target: Labels;
  vm: (vm: MutableVm) => void;
  purpose?: Purpose;
  clusterCpuModel?: string;
  want: RegExp | undefined;
}

function verdict({ source, target, vm, purpose, clusterCpuModel }: Case): string | undefined {
  const ctx = contextFor(
    [buildNode("n1", {}, withCpuLabels(source ?? SKYLAKE)), buildNode("n2", {}, withCpuLabels(target))],
    [buildVm("vm", "n1", {}, vm)],
    {
      purpose: purpose ?? "balance",
      snapshot: (snapshot) => {
        if (clusterCpuModel !== undefined) snapshot.kubevirt = { cpuModel: clusterCpuModel };
      },
    },
  );
  return filterVerdict(cpuCompatibility, ctx, "vm", "n2");
}

const namedModels: Case[] = [
  {
    name: "a named model the target can boot fits",
    target: CASCADELAKE,
    vm: cpu("Skylake-Server-IBRS"),
    want: undefined,
  },
  {
    name: "a named model the target cannot boot is rejected",
    source: CASCADELAKE,
    target: SKYLAKE,
    vm: cpu("Cascadelake-Server"),
    want: /^CpuCompatibility: needs label cpu-model\.node\.kubevirt\.io\/Cascadelake-Server=true \(CPU model Cascadelake-Server\)$/,
  },
  {
    name: "a named model listed only as a migration model (not usable to boot) is rejected",
    source: CASCADELAKE,
    target: { ...SKYLAKE, "cpu-model-migration.node.kubevirt.io/Cascadelake-Server": "true" },
    vm: cpu("Cascadelake-Server"),
    want: /^CpuCompatibility: needs label cpu-model\.node\.kubevirt\.io\/Cascadelake-Server=true/,
  },
  {
    name: "a VM without a model gets the cluster's default named model",
    source: CASCADELAKE,
    target: SKYLAKE,
    clusterCpuModel: "Cascadelake-Server",
    vm: cpu(""),
    want: /^CpuCompatibility: needs label cpu-model\.node\.kubevirt\.io\/Cascadelake-Server=true/,
  },
];

const features: Case[] = [
  {
    name: "a required feature the target has fits",
    target: CASCADELAKE,
    vm: cpu("Skylake-Server-IBRS", [{ name: "avx512f", policy: "require" }]),
    want: undefined,
  },
  {
    name: "a required feature the target lacks is rejected",
    target: SKYLAKE,
    vm: cpu("Skylake-Server-IBRS", [{ name: "avx512vnni", policy: "require" }]),
    want: /^CpuCompatibility: needs label cpu-feature\.node\.kubevirt\.io\/avx512vnni=true \(required CPU feature avx512vnni\)$/,
  },
  {
    name: "a feature with an empty policy is required",
    target: SKYLAKE,
    vm: cpu("Skylake-Server-IBRS", [{ name: "avx512vnni", policy: "" }]),
    want: /^CpuCompatibility: needs label cpu-feature\.node\.kubevirt\.io\/avx512vnni=true/,
  },
  {
    name: "a forced feature asks nothing of the target (KubeVirt selects on require only)",
    target: SKYLAKE,
    vm: cpu("Skylake-Server-IBRS", [{ name: "invtsc", policy: "force" }]),
    want: undefined,
  },
  {
    name: "a forbidden feature the target has is rejected",
    target: CASCADELAKE,
    vm: cpu("Skylake-Server-IBRS", [{ name: "avx512vnni", policy: "forbid" }]),
    want: /^CpuCompatibility: must not have label cpu-feature\.node\.kubevirt\.io\/avx512vnni \(forbidden CPU feature avx512vnni\)$/,
  },
  {
    name: "a forbidden feature the target lacks fits",
    target: SKYLAKE,
    vm: cpu("Skylake-Server-IBRS", [{ name: "avx512vnni", policy: "forbid" }]),
    want: undefined,
  },
  {
    name: "optional and disabled features ask nothing of the target",
    target: SKYLAKE,
    vm: cpu("Skylake-Server-IBRS", [
      { name: "avx512vnni", policy: "optional" },
      { name: "pku", policy: "disable" },
    ]),
    want: undefined,
  },
];

const hostModel: Case[] = [
  {
    name: "host-model: a target listing the source's host model among its migration models fits",
    source: SKYLAKE,
    target: CASCADELAKE,
    vm: cpu("host-model"),
    want: undefined,
  },
  {
    name: "host-model: a target without cpu-model-migration of the source's host model is rejected",
    source: CASCADELAKE,
    target: SKYLAKE,
    vm: cpu("host-model"),
    want: /^CpuCompatibility: needs label cpu-model-migration\.node\.kubevirt\.io\/Cascadelake-Server=true \(host-model VM booted on a Cascadelake-Server host\)$/,
  },
  {
    name: "host-model: a VM without a model gets the default, host-model",
    source: CASCADELAKE,
    target: SKYLAKE,
    vm: cpu(""),
    want: /^CpuCompatibility: needs label cpu-model-migration\.node\.kubevirt\.io\/Cascadelake-Server=true/,
  },
  {
    name: "host-model: the source's host-model-required-features are required as cpu-feature labels",
    source: { ...SKYLAKE, "host-model-required-features.node.kubevirt.io/pcid": "true" },
    target: CASCADELAKE,
    vm: cpu("host-model"),
    want: /^CpuCompatibility: needs label cpu-feature\.node\.kubevirt\.io\/pcid=true \(feature pcid of the Skylake-Server-IBRS host model\)$/,
  },
  {
    name: "host-model: a target with the host model's required features fits",
    source: { ...SKYLAKE, "host-model-required-features.node.kubevirt.io/pcid": "true" },
    target: { ...CASCADELAKE, "cpu-feature.node.kubevirt.io/pcid": "true" },
    vm: cpu("host-model"),
    want: undefined,
  },
  {
    name: "host-model: selectors carried over from an earlier migration replace the source's host model",
    source: CASCADELAKE,
    target: SKYLAKE,
    vm: all(cpu("host-model"), (vm) => {
      vm.migrationSelectors = {
        "cpu-model-migration.node.kubevirt.io/Skylake-Server-IBRS": "true",
        "cpu-feature.node.kubevirt.io/avx512f": "true",
      };
    }),
    want: undefined,
  },
  {
    name: "host-model: a carried-over selector the target lacks is rejected",
    source: CASCADELAKE,
    target: SKYLAKE,
    vm: all(cpu("host-model"), (vm) => {
      vm.migrationSelectors = {
        "cpu-model-migration.node.kubevirt.io/Skylake-Server-IBRS": "true",
        "cpu-feature.node.kubevirt.io/pcid": "true",
      };
    }),
    want: /^CpuCompatibility: needs label cpu-feature\.node\.kubevirt\.io\/pcid=true \(CPU of the host the VM booted on \(carried over/,
  },
  {
    name: "host-model: a target whose host model is obsolete is rejected",
    target: { ...SKYLAKE, "node-labeller.kubevirt.io/obsolete-host-model": "true" },
    vm: cpu("host-model"),
    want: /^CpuCompatibility: must not have label node-labeller\.kubevirt\.io\/obsolete-host-model \(host-model needs a host CPU that is not obsolete\)$/,
  },
  {
    name: "host-model: the obsolete-host-model label rejects whatever its value (DoesNotExist)",
    target: { ...SKYLAKE, "node-labeller.kubevirt.io/obsolete-host-model": "false" },
    vm: cpu("host-model"),
    want: /^CpuCompatibility: must not have label node-labeller\.kubevirt\.io\/obsolete-host-model/,
  },
  {
    name: "a named model ignores the obsolete-host-model label",
    target: { ...SKYLAKE, "node-labeller.kubevirt.io/obsolete-host-model": "true" },
    vm: cpu("Skylake-Server-IBRS"),
    want: undefined,
  },
];

const vendor: Case[] = [
  {
    name: "vendor: a migration is pinned to the source's CPU vendor",
    source: { ...SKYLAKE, ...WESTMERE },
    target: { ...MILAN, ...WESTMERE },
    vm: cpu("Westmere"),
    want: /^CpuCompatibility: needs label cpu-vendor\.node\.kubevirt\.io\/Intel=true \(same CPU vendor as the source \(Intel\)\)$/,
  },
  {
    name: "vendor: a target of the source's vendor fits",
    source: { ...SKYLAKE, ...WESTMERE },
    target: { ...CASCADELAKE, ...WESTMERE },
    vm: cpu("Westmere"),
    want: undefined,
  },
  {
    name: "vendor: evacuation is pinned to the source's vendor too",
    source: { ...SKYLAKE, ...WESTMERE },
    target: { ...MILAN, ...WESTMERE },
    vm: cpu("Westmere"),
    purpose: "evacuate",
    want: /^CpuCompatibility: needs label cpu-vendor\.node\.kubevirt\.io\/Intel=true/,
  },
  {
    name: "vendor: no pin when the VM's nodeSelector already names a cpu-vendor",
    source: { ...SKYLAKE, ...WESTMERE },
    target: { ...MILAN, ...WESTMERE },
    vm: all(cpu("Westmere"), (vm) => {
      vm.nodeSelector = { "cpu-vendor.node.kubevirt.io/AMD": "true" };
    }),
    want: undefined,
  },
  {
    name: "vendor: no pin when the source reports no vendor",
    source: { ...NO_VENDOR_SKYLAKE, ...WESTMERE },
    target: { ...MILAN, ...WESTMERE },
    vm: cpu("Westmere"),
    want: undefined,
  },
];

const passthrough: Case[] = [
  {
    name: "host-passthrough: an identical host fits",
    target: SKYLAKE,
    vm: cpu("host-passthrough"),
    want: undefined,
  },
  {
    name: "host-passthrough: a host with a superset of the source's features fits",
    target: { ...SKYLAKE, "cpu-feature.node.kubevirt.io/pku": "true" },
    vm: cpu("host-passthrough"),
    want: undefined,
  },
  {
    name: "host-passthrough: a host lacking one of the source's features is rejected",
    source: { ...SKYLAKE, "cpu-feature.node.kubevirt.io/pku": "true" },
    target: SKYLAKE,
    vm: cpu("host-passthrough"),
    want: /^CpuCompatibility: host-passthrough: node lacks CPU feature pku the source host has$/,
  },
  {
    name: "host-passthrough: another host model of the same vendor is rejected",
    target: CASCADELAKE,
    vm: cpu("host-passthrough"),
    want: /^CpuCompatibility: host-passthrough needs the same host CPU model \(source Skylake-Server-IBRS, node Cascadelake-Server\)$/,
  },
  {
    name: "host-passthrough: another vendor is rejected by the vendor pin first",
    target: MILAN,
    vm: cpu("host-passthrough"),
    want: /^CpuCompatibility: needs label cpu-vendor\.node\.kubevirt\.io\/Intel=true/,
  },
  {
    name: "host-passthrough: another vendor is rejected even when the source's vendor is unknown",
    source: NO_VENDOR_SKYLAKE,
    target: MILAN,
    vm: cpu("host-passthrough"),
    want: /^CpuCompatibility: host-passthrough needs the same CPU vendor \(source unknown, node AMD\)$/,
  },
];

const bootLabels: Case[] = [
  {
    name: "machine type: a target offering it fits",
    target: { ...SKYLAKE, "machine-type.node.kubevirt.io/pc-q35-rhel9.4.0": "true" },
    vm: all(cpu("host-model"), (vm) => {
      vm.machineType = "pc-q35-rhel9.4.0";
    }),
    want: undefined,
  },
  {
    name: "machine type: a target without it is rejected",
    target: { ...SKYLAKE, "machine-type.node.kubevirt.io/pc-q35-rhel8.6.0": "true" },
    vm: all(cpu("host-model"), (vm) => {
      vm.machineType = "pc-q35-rhel9.4.0";
    }),
    want: /^CpuCompatibility: needs label machine-type\.node\.kubevirt\.io\/pc-q35-rhel9\.4\.0=true \(machine type pc-q35-rhel9\.4\.0\)$/,
  },
  {
    name: "dedicated CPUs: a target with kubevirt.io/cpumanager=true fits",
    target: { ...SKYLAKE, "kubevirt.io/cpumanager": "true" },
    vm: all(cpu("host-model"), (vm) => {
      vm.cpu = { ...vm.cpu, dedicated: true };
    }),
    want: undefined,
  },
  {
    name: "dedicated CPUs: kubevirt.io/cpumanager=false is rejected",
    target: { ...SKYLAKE, "kubevirt.io/cpumanager": "false" },
    vm: all(cpu("host-model"), (vm) => {
      vm.cpu = { ...vm.cpu, dedicated: true };
    }),
    want: /^CpuCompatibility: needs label kubevirt\.io\/cpumanager=true \(dedicated CPUs need the static CPU manager\)$/,
  },
  {
    name: "dedicated CPUs: a target without kubevirt.io/cpumanager is rejected",
    target: SKYLAKE,
    vm: all(cpu("host-model"), (vm) => {
      vm.cpu = { ...vm.cpu, dedicated: true };
    }),
    want: /^CpuCompatibility: needs label kubevirt\.io\/cpumanager=true/,
  },
  {
    name: "shared CPUs do not need the CPU manager",
    target: { ...SKYLAKE, "kubevirt.io/cpumanager": "false" },
    vm: cpu("host-model"),
    want: undefined,
  },
  {
    name: "realtime vCPUs need kubevirt.io/realtime",
    target: SKYLAKE,
    vm: all(cpu("host-model"), (vm) => {
      vm.cpu = { ...vm.cpu, realtime: true };
    }),
    want: /^CpuCompatibility: needs label kubevirt\.io\/realtime=true \(realtime vCPUs\)$/,
  },
  {
    name: "TSC frequency: a target labelled for the VM's frequency fits",
    target: { ...SKYLAKE, "scheduling.node.kubevirt.io/tsc-frequency-2095078000": "true" },
    vm: all(cpu("host-model"), (vm) => {
      vm.tscFrequency = 2095078000;
    }),
    want: undefined,
  },
  {
    name: "TSC frequency: a target labelled for another frequency is rejected",
    target: { ...SKYLAKE, "scheduling.node.kubevirt.io/tsc-frequency-2400000000": "true" },
    vm: all(cpu("host-model"), (vm) => {
      vm.tscFrequency = 2095078000;
    }),
    want: /^CpuCompatibility: needs label scheduling\.node\.kubevirt\.io\/tsc-frequency-2095078000=true \(TSC frequency 2095078000 Hz\)$/,
  },
];

const restart: Case[] = [
  {
    name: "restart: a host-model VM boots afresh, so the source's host model does not matter",
    source: CASCADELAKE,
    target: SKYLAKE,
    vm: cpu("host-model"),
    purpose: "restart",
    want: undefined,
  },
  {
    name: "restart: carried-over migration selectors do not matter",
    target: SKYLAKE,
    vm: all(cpu("host-model"), (vm) => {
      vm.migrationSelectors = { "cpu-model-migration.node.kubevirt.io/Cascadelake-Server": "true" };
    }),
    purpose: "restart",
    want: undefined,
  },
  {
    name: "restart: no pin to the source's vendor",
    source: { ...SKYLAKE, ...WESTMERE },
    target: { ...MILAN, ...WESTMERE },
    vm: cpu("Westmere"),
    purpose: "restart",
    want: undefined,
  },
  {
    name: "restart: host-passthrough may boot on another host model",
    target: CASCADELAKE,
    vm: cpu("host-passthrough"),
    purpose: "restart",
    want: undefined,
  },
  {
    name: "restart: boot requirements still apply (required feature)",
    target: SKYLAKE,
    vm: cpu("host-model", [{ name: "avx512vnni" }]),
    purpose: "restart",
    want: /^CpuCompatibility: needs label cpu-feature\.node\.kubevirt\.io\/avx512vnni=true/,
  },
  {
    name: "restart: boot requirements still apply (obsolete host model)",
    target: { ...SKYLAKE, "node-labeller.kubevirt.io/obsolete-host-model": "true" },
    vm: cpu("host-model"),
    purpose: "restart",
    want: /^CpuCompatibility: must not have label node-labeller\.kubevirt\.io\/obsolete-host-model/,
  },
];

describe("CpuCompatibility", () => {
  describe.each([
    { group: "named models", cases: namedModels },
    { group: "CPU features", cases: features },
    { group: "host-model migration", cases: hostModel },
    { group: "CPU vendor", cases: vendor },
    { group: "host-passthrough", cases: passthrough },
    { group: "machine type, CPU manager, realtime and TSC", cases: bootLabels },
    { group: "restart after a host failure", cases: restart },
  ])("$group", ({ cases }) => {
    it.each(cases)("$name", (testCase) => {
      expectVerdict(verdict(testCase), testCase.want);
    });
  });
});
