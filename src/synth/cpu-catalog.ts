/**
 * Host CPU generations as libvirt and KubeVirt's node-labeller describe them: the host-model base,
 * the named models a host can boot (its own and older ones of its vendor, plus a few generic ones),
 * the CPU features it reports and the features libvirt requires on top of the host-model base.
 * Newer generations keep the older ones' features, so a VM booted with host-model on an older host
 * can migrate to a newer one of the same vendor but not back.
 */

export type CpuVendor = "Intel" | "AMD";

export interface CpuGeneration {
  readonly vendor: CpuVendor;
  /** The libvirt model that host-model expands to on this host. */
  readonly hostModel: string;
  /** Models libvirt reports as usable (the `cpu-model.node.kubevirt.io/*` labels). */
  readonly usableModels: readonly string[];
  /** Host features (the `cpu-feature.node.kubevirt.io/*` labels). */
  readonly features: readonly string[];
  /** Features libvirt adds to the host-model base; a host-model migration target needs all of them. */
  readonly hostModelRequiredFeatures: readonly string[];
  /** TSC frequency in Hz, as virt-handler reports it. */
  readonly tscFrequency: number;
}

/** Old enough that every current x86 host, of either vendor, can run them. */
const GENERIC_MODELS = ["Nehalem", "Penryn", "Westmere"];

const COMMON_FEATURES = [
  "abm",
  "adx",
  "aes",
  "arat",
  "avx",
  "avx2",
  "bmi1",
  "bmi2",
  "clflushopt",
  "clwb",
  "f16c",
  "fma",
  "fsgsbase",
  "hypervisor",
  "ibpb",
  "invtsc",
  "movbe",
  "pclmuldq",
  "pdpe1gb",
  "popcnt",
  "rdrand",
  "rdseed",
  "rdtscp",
  "smap",
  "smep",
  "sse4.1",
  "sse4.2",
  "ssse3",
  "tsc_adjust",
  "umip",
  "x2apic",
  "xgetbv1",
  "xsave",
  "xsavec",
  "xsaveopt",
  "xsaves",
];

const INTEL_FEATURES = [
  "arch-capabilities",
  "avx512bw",
  "avx512cd",
  "avx512dq",
  "avx512f",
  "avx512vl",
  "erms",
  "invpcid",
  "md-clear",
  "pcid",
  "pdcm",
  "pku",
  "pschange-mc-no",
  "skip-l1dfl-vmentry",
  "spec-ctrl",
  "ss",
  "ssbd",
  "stibp",
  "tsc-deadline",
  "vme",
  "vmx",
];

const AMD_FEATURES = [
  "3dnowprefetch",
  "amd-ssbd",
  "amd-stibp",
  "clzero",
  "cmp_legacy",
  "cr8legacy",
  "lbrv",
  "misalignsse",
  "mmxext",
  "npt",
  "nrip-save",
  "osvw",
  "perfctr_core",
  "rdpid",
  "sha-ni",
  "sse4a",
  "svm",
  "topoext",
  "tsc-scale",
  "virt-ssbd",
  "vmcb-clean",
  "wbnoinvd",
  "xsaveerptr",
];

const SKYLAKE_MODELS = [
  "Broadwell-IBRS",
  "Broadwell-noTSX-IBRS",
  "Haswell-IBRS",
  "Haswell-noTSX-IBRS",
  "IvyBridge-IBRS",
  "Nehalem-IBRS",
  "SandyBridge-IBRS",
  "Skylake-Client-IBRS",
  "Skylake-Server",
  "Skylake-Server-IBRS",
  "Skylake-Server-noTSX-IBRS",
  "Westmere-IBRS",
];

const ROME_MODELS = ["EPYC", "EPYC-IBPB", "EPYC-Rome", "Opteron_G1", "Opteron_G2", "Opteron_G3"];

function sorted(...lists: readonly (readonly string[])[]): string[] {
  return [...new Set(lists.flat())].sort();
}

export const SKYLAKE: CpuGeneration = {
  vendor: "Intel",
  hostModel: "Skylake-Server-IBRS",
  usableModels: sorted(GENERIC_MODELS, SKYLAKE_MODELS),
  features: sorted(COMMON_FEATURES, INTEL_FEATURES, ["mpx"]),
  hostModelRequiredFeatures: ["hypervisor", "md-clear", "pdpe1gb", "ss", "ssbd", "stibp", "tsc_adjust", "vmx"],
  tscFrequency: 2_100_000_000,
};

export const ICELAKE: CpuGeneration = {
  vendor: "Intel",
  hostModel: "Icelake-Server",
  usableModels: sorted(GENERIC_MODELS, SKYLAKE_MODELS, [
    "Cascadelake-Server",
    "Cascadelake-Server-noTSX",
    "Icelake-Server",
    "Icelake-Server-noTSX",
  ]),
  // Ice Lake dropped MPX; everything else Skylake has, it has too.
  features: sorted(COMMON_FEATURES, INTEL_FEATURES, [
    "avx512-vpopcntdq",
    "avx512bitalg",
    "avx512ifma",
    "avx512vbmi",
    "avx512vbmi2",
    "avx512vnni",
    "fsrm",
    "gfni",
    "la57",
    "rdpid",
    "sha-ni",
    "taa-no",
    "vaes",
    "vpclmulqdq",
    "wbnoinvd",
  ]),
  hostModelRequiredFeatures: [
    "hypervisor",
    "md-clear",
    "pdpe1gb",
    "ss",
    "ssbd",
    "stibp",
    "taa-no",
    "tsc_adjust",
    "vmx",
  ],
  tscFrequency: 2_000_000_000,
};

export const EPYC_ROME: CpuGeneration = {
  vendor: "AMD",
  hostModel: "EPYC-Rome",
  usableModels: sorted(GENERIC_MODELS, ROME_MODELS),
  features: sorted(COMMON_FEATURES, AMD_FEATURES),
  hostModelRequiredFeatures: ["amd-ssbd", "amd-stibp", "hypervisor", "svm", "tsc_adjust", "virt-ssbd"],
  tscFrequency: 2_250_000_000,
};

export const EPYC_MILAN: CpuGeneration = {
  vendor: "AMD",
  hostModel: "EPYC-Milan",
  usableModels: sorted(GENERIC_MODELS, ROME_MODELS, ["EPYC-Milan"]),
  features: sorted(COMMON_FEATURES, AMD_FEATURES, [
    "erms",
    "fsrm",
    "invpcid",
    "lfence-always-serializing",
    "pcid",
    "pku",
    "stibp-always-on",
    "vaes",
    "vpclmulqdq",
  ]),
  hostModelRequiredFeatures: [
    "amd-ssbd",
    "amd-stibp",
    "hypervisor",
    "lfence-always-serializing",
    "stibp-always-on",
    "svm",
    "tsc_adjust",
    "virt-ssbd",
  ],
  tscFrequency: 2_450_000_000,
};

/** Named models VMs ask for, with how often; each is offered only by some generations. */
export const NAMED_VM_MODELS: readonly (readonly [string, number])[] = [
  ["Skylake-Server-IBRS", 5],
  ["EPYC-Rome", 3],
  ["Cascadelake-Server-noTSX", 1],
  ["Westmere", 1],
];
