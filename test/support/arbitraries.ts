/**
 * fast-check arbitraries for small but varied clusters: mixed node sizes, zones and CPU vendors,
 * VMs with requests that fit where they start, usage skewed onto a few hot nodes, and the things a
 * planner must respect: excluded and non-migratable VMs, nodeSelectors, taints, anti-affinity
 * groups and PlacementRules.
 */
import fc from "fast-check";
import { AMD_LABELS, INTEL_LABELS, type NodeInput, type VmInput, buildNode, buildVm } from "./builders.ts";

export interface ClusterCase {
  readonly nodes: NodeInput[];
  readonly vms: VmInput[];
  readonly ruleGroups: number;
}

const nodeSpec = fc.record({
  cores: fc.constantFrom(16, 32, 64),
  memoryGi: fc.constantFrom(64, 128, 256),
  zone: fc.constantFrom("zone-a", "zone-b", "zone-c"),
  amd: fc.boolean(),
  cordoned: fc.constantFrom(false, false, false, false, false, false, false, false, false, true),
});

const vmSpec = fc.record({
  node: fc.nat(),
  onHot: fc.boolean(),
  cores: fc.constantFrom(1, 2, 4, 8),
  memoryGi: fc.constantFrom(2, 4, 8, 16, 32),
  busy: fc.double({ min: 0.05, max: 1, noNaN: true }),
  kind: fc.constantFrom(
    "plain",
    "plain",
    "plain",
    "plain",
    "excluded",
    "gpu",
    "rwo",
    "not-migratable",
    "pinned",
    "group",
  ),
  group: fc.nat({ max: 2 }),
  hostPassthrough: fc.boolean(),
});

type NodeSpec = typeof nodeSpec extends fc.Arbitrary<infer T> ? T : never;
type VmSpec = typeof vmSpec extends fc.Arbitrary<infer T> ? T : never;

function nodeOf(index: number, spec: NodeSpec, hot: boolean): NodeInput {
  return buildNode(
    `node-${String(index).padStart(2, "0")}`,
    { cpu: String(spec.cores), memory: `${spec.memoryGi}Gi` },
    (node) => {
      node.labels = {
        ...node.labels,
        "topology.kubernetes.io/zone": spec.zone,
        pool: hot ? "hot" : "general",
      };
      if (spec.amd) {
        const labels = { ...node.labels } as Record<string, string>;
        for (const key of Object.keys(INTEL_LABELS)) delete labels[key];
        node.labels = { ...labels, ...AMD_LABELS };
      }
      if (spec.cordoned) node.unschedulable = true;
    },
  );
}

function vmOf(index: number, spec: VmSpec, node: NodeInput, hot: boolean): VmInput {
  const usedCores = spec.cores * spec.busy * (hot ? 1.5 : 0.3);
  return buildVm(
    `vm-${String(index).padStart(3, "0")}`,
    node.name,
    { cpu: `${spec.cores * 100}m`, memory: `${spec.memoryGi}Gi`, used: `${Math.round(usedCores * 1000)}m` },
    (vm) => {
      vm.labels = { app: `app-${index}` };
      switch (spec.kind) {
        case "excluded":
          vm.labels = { ...vm.labels, "kubedrs.io/exclude": "true" };
          break;
        case "gpu":
          vm.hostDevices = [{ name: "gpu1", deviceName: "nvidia.com/GA102GL_A10", kind: "gpu" }];
          vm.liveMigratable = { status: "False", reason: "HostDeviceNotLiveMigratable" };
          break;
        case "rwo":
          vm.volumes = [
            {
              name: "data",
              source: "persistentVolumeClaim",
              claimName: `pvc-${index}`,
              accessModes: ["ReadWriteOnce"],
              volumeMode: "Filesystem",
            },
          ];
          break;
        case "not-migratable":
          vm.liveMigratable = { status: "False", reason: "InterfaceNotLiveMigratable", message: "bridge binding" };
          break;
        case "pinned":
          vm.nodeSelector = { "topology.kubernetes.io/zone": String(node.labels?.["topology.kubernetes.io/zone"]) };
          break;
        case "group":
          vm.labels = { ...vm.labels, tier: `db-${spec.group}` };
          vm.affinity = {
            podAntiAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: [
                { labelSelector: { matchLabels: { tier: `db-${spec.group}` } }, topologyKey: "kubernetes.io/hostname" },
              ],
            },
          };
          break;
      }
      if (spec.hostPassthrough && spec.kind === "plain") vm.cpu = { model: "host-passthrough" };
    },
  );
}

function fits(
  used: { cpu: number; memory: number; pods: number },
  node: { cores: number; memoryGi: number },
  vm: VmSpec,
): boolean {
  return (
    used.cpu + vm.cores * 100 <= node.cores * 1000 && used.memory + vm.memoryGi <= node.memoryGi && used.pods < 110
  );
}

/** A cluster of 3–8 nodes and up to 60 VMs, placed so every node's requests fit. */
export const clusterCase: fc.Arbitrary<ClusterCase> = fc
  .record({
    nodes: fc.array(nodeSpec, { minLength: 3, maxLength: 8 }),
    vms: fc.array(vmSpec, { minLength: 8, maxLength: 60, size: "medium" }),
    hotCount: fc.integer({ min: 1, max: 2 }),
  })
  .map(({ nodes: nodeSpecs, vms: vmSpecs, hotCount }) => {
    const nodes = nodeSpecs.map((spec, index) => nodeOf(index, spec, index < hotCount));
    const used = nodeSpecs.map(() => ({ cpu: 0, memory: 0, pods: 0 }));
    const groupNodes = new Map<number, Set<number>>();
    const vms: VmInput[] = [];
    vmSpecs.forEach((spec, index) => {
      const target = spec.onHot ? spec.node % hotCount : spec.node % nodes.length;
      const nodeSpecForVm = nodeSpecs[target];
      const load = used[target];
      const node = nodes[target];
      if (!nodeSpecForVm || !load || !node || !fits(load, nodeSpecForVm, spec)) return;
      if (spec.kind === "group") {
        const taken = groupNodes.get(spec.group) ?? new Set<number>();
        if (taken.has(target)) return;
        taken.add(target);
        groupNodes.set(spec.group, taken);
      }
      load.cpu += spec.cores * 100;
      load.memory += spec.memoryGi;
      load.pods += 1;
      vms.push(vmOf(index, spec, node, target < hotCount));
    });
    return { nodes, vms, ruleGroups: groupNodes.size };
  });
