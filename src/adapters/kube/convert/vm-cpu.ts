/** The guest CPU of a VMI: topology, model, pinning and the features it requires or forbids. */
import type { SnapshotVm } from "../../../core/model/snapshot.ts";
import { compact } from "./compact.ts";
import type { Field } from "./field.ts";

type VmCpu = SnapshotVm["cpu"];
type CpuFeature = VmCpu["features"][number];

const FEATURE_POLICIES = ["force", "require", "optional", "disable", "forbid"] as const;
const TOPOLOGY = ["sockets", "cores", "threads"] as const;

function featureFrom(field: Field): CpuFeature | undefined {
  const name = field.key("name").required().string();
  // KubeVirt treats an empty policy as "require" (it adds the cpu-feature node selector).
  const policy = field.key("policy").oneOf(FEATURE_POLICIES) ?? "require";
  return name === undefined ? undefined : { name, policy };
}

/**
 * Without a topology, virt-launcher gives the guest as many sockets as the CPU limit, else the CPU
 * request, rounded up (KubeVirt's GetCPUTopology); KubeVirt's mutating webhook normally fills it in first.
 */
function vcpusFromResources(resources: Field): number {
  const limit = resources.key("limits").key("cpu").millicores();
  const request = resources.key("requests").key("cpu").millicores();
  return Math.max(1, Math.ceil((limit ?? request ?? 1000) / 1000));
}

function vcpusOf(cpu: Field, resources: Field): number | undefined {
  if (!TOPOLOGY.some((name) => cpu.has(name))) return vcpusFromResources(resources);
  const vcpus = TOPOLOGY.reduce((product, name) => product * (cpu.key(name).integer(1) ?? 1), 1);
  if (Number.isSafeInteger(vcpus)) return vcpus;
  cpu.report(`sockets × cores × threads is ${vcpus}, not a usable vCPU count`);
  return undefined;
}

export function cpuOf(domain: Field): VmCpu {
  const cpu = domain.key("cpu");
  return compact({
    vcpus: vcpusOf(cpu, domain.key("resources")),
    model: cpu.key("model").string() ?? "",
    dedicated: cpu.key("dedicatedCpuPlacement").boolean() ?? false,
    isolateEmulatorThread: cpu.key("isolateEmulatorThread").boolean() ?? false,
    numaPassthrough: cpu.key("numa").has("guestMappingPassthrough"),
    realtime: cpu.key("realtime").present,
    features: cpu.key("features").listOf(featureFrom) ?? [],
  });
}
