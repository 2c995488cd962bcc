/**
 * Applying a scenario creates its objects as a user and the cluster's own components would have
 * left them, registers every host with the ground truth, and places VMs that ask for a start.
 * These run on a bare runtime, so only what the scenario itself does is seen.
 */
import { describe, expect, it } from "vitest";
import { LABEL } from "../../../src/core/model/kubevirt-labels.ts";
import { parseQuantity } from "../../../src/core/model/quantity.ts";
import type { KubeObject } from "../../../src/twin/api/types.ts";
import { applyScenario } from "../../../src/twin/scenario/index.ts";
import { buildFleet } from "../../../src/synth/node-builder.ts";
import { workloadSpec } from "../../../src/twin/workload/spec.ts";
import {
  type RawScenario,
  at,
  bareTwin,
  decoded,
  firstGroup,
  firstPool,
  initialNodeOf,
  scenarioDocument,
  textAt,
} from "./builders.ts";

function applied(apply?: (document: RawScenario) => void, seed = 1) {
  const twin = bareTwin(seed);
  const result = applyScenario(twin, decoded(scenarioDocument(apply)));
  const { store, resources } = twin.runtime;
  const nodes = store.list(resources.nodes);
  const vms = store.list(resources.virtualMachines);
  return { twin, result, nodes, vms, store, resources };
}

function node(nodes: readonly KubeObject[], name: string): KubeObject {
  const found = nodes.find((candidate) => candidate.metadata.name === name);
  if (!found) throw new Error(`no node ${name}`);
  return found;
}

/** The VMI template's spec, at a path. */
const templateSpec = (vm: unknown, ...path: string[]): unknown => at(vm, "spec", "template", "spec", ...path);
const templateAnnotation = (vm: unknown, key: string): string =>
  textAt(vm, "spec", "template", "metadata", "annotations", key) ?? "";
const initialNode = initialNodeOf;

describe("cluster objects", () => {
  it("creates the system namespaces, the listed ones and the groups'", () => {
    const { store, resources } = applied((d) => (d.spec.namespaces = [{ name: "shop", labels: { env: "prod" } }]));
    const namespaces = store.list(resources.namespaces).map((ns) => ns.metadata.name);
    expect(namespaces).toEqual(["default", "kube-system", "kube-node-lease", "kubevirt", "shop", "apps"]);
    expect(store.get(resources.namespaces, undefined, "shop")?.metadata.labels).toMatchObject({ env: "prod" });
  });

  it("writes the KubeVirt CR with KubeVirt's migration defaults under the scenario's settings", () => {
    const { store, resources } = applied((d) => {
      d.spec.kubevirt.migrations = { bandwidthPerMigration: "64Mi", allowAutoConverge: true };
    });
    const kubevirt = store.get(resources.kubevirts, "kubevirt", "kubevirt");
    expect(at(kubevirt, "spec", "configuration")).toMatchObject({
      evictionStrategy: "LiveMigrate",
      migrations: {
        parallelMigrationsPerCluster: 5,
        parallelOutboundMigrationsPerNode: 2,
        completionTimeoutPerGiB: 150,
        progressTimeout: 150,
        bandwidthPerMigration: "64Mi",
        allowAutoConverge: true,
        allowPostCopy: false,
      },
    });
  });

  it("creates the MigrationPolicies and the extra objects", () => {
    const { store, resources } = applied((d) => {
      d.spec.migrationPolicies = [
        { name: "slow", selectors: { namespaceSelector: { env: "dev" } }, bandwidthPerMigration: "128Mi" },
      ];
      d.spec.objects = [
        {
          apiVersion: "fence-agents-remediation.medik8s.io/v1alpha1",
          kind: "FenceAgentsRemediationTemplate",
          metadata: { name: "fence", namespace: "kube-system" },
          spec: { template: { spec: { agent: "fence_ipmilan" } } },
        },
      ];
    });
    expect(store.get(resources.migrationPolicies, undefined, "slow")?.spec).toEqual({
      selectors: { namespaceSelector: { env: "dev" } },
      bandwidthPerMigration: "128Mi",
    });
    expect(store.get(resources.fenceAgentsRemediationTemplates, "kube-system", "fence")).toBeDefined();
  });
});

describe("nodes", () => {
  it("names them zero-padded and deals zones round-robin", () => {
    const { nodes } = applied();
    expect(nodes.map((n) => [n.metadata.name, n.metadata.labels?.[LABEL.zone]])).toEqual([
      ["node-01", "zone-a"],
      ["node-02", "zone-b"],
      ["node-03", "zone-a"],
      ["node-04", "zone-b"],
    ]);
  });

  it("labels them as the node-labeller and heartbeat would, with the synthetic generator's CPU labels", () => {
    const { nodes } = applied();
    const labels = node(nodes, "node-01").metadata.labels ?? {};
    expect(labels).toMatchObject({
      [LABEL.hostname]: "node-01",
      "node-role.kubernetes.io/worker": "",
      [LABEL.schedulable]: "true",
      [LABEL.cpuVendor + "Intel"]: "true",
      [LABEL.hostModelCpu + "Icelake-Server"]: "true",
      "twin.kubedrs.io/pool": "node",
    });
    const synthetic = buildFleet(6, "2026-11-22T08:00:00Z").find((fleetNode) => fleetNode.pool.name === "icx");
    const cpuOnly = (all: Record<string, string>): Record<string, string> =>
      Object.fromEntries(Object.entries(all).filter(([key]) => key.includes(".node.kubevirt.io/")));
    expect(cpuOnly(labels)).toEqual(cpuOnly(synthetic?.spec.labels ?? {}));
  });

  it("reports capacity and allocatable, taints, bandwidth, NUMA cells and a Ready condition", () => {
    const { nodes } = applied((d) => {
      Object.assign(firstPool(d), {
        taints: [{ key: "dedicated", value: "db", effect: "NoSchedule" }],
        migrationBandwidth: "1.25G",
        hugepages: { "1Gi": "32Gi" },
        numa: { cells: 2, topologyPolicy: "single-numa-node" },
        gpus: 2,
      });
    });
    const n = node(nodes, "node-01");
    const quantityAt = (...path: string[]): number | undefined => parseQuantity(textAt(n, "status", ...path) ?? "");
    expect(at(n, "status", "capacity")).toMatchObject({
      cpu: "32",
      pods: "250",
      "hugepages-1Gi": "32Gi",
      "nvidia.com/gpu": "2",
    });
    expect(quantityAt("capacity", "memory")).toBe(128 * 2 ** 30);
    expect(quantityAt("allocatable", "memory")).toBeLessThan(96 * 2 ** 30);
    expect(quantityAt("allocatable", "cpu")).toBeLessThan(32);
    expect(at(n, "status", "conditions")).toContainEqual(expect.objectContaining({ type: "Ready", status: "True" }));
    expect(textAt(n, "status", "nodeInfo", "kubeletVersion")).toMatch(/^v1\./);
    expect(at(n, "spec", "taints")).toEqual([{ key: "dedicated", value: "db", effect: "NoSchedule" }]);
    expect(n.metadata.annotations?.["twin.kubedrs.io/migration-bandwidth"]).toBe("1250000000");
    const numa = JSON.parse(n.metadata.annotations?.["twin.kubedrs.io/numa"] ?? "{}");
    expect(numa).toMatchObject({
      topologyPolicy: "single-numa-node",
      cells: [
        { id: 0, cpus: "0-15", hugepages: { "1Gi": 16 } },
        { id: 1, cpus: "16-31" },
      ],
    });
  });

  it("registers every host with the ground truth, powered and networked", () => {
    const { twin } = applied();
    expect(twin.runtime.truth.hostNames()).toEqual(["node-01", "node-02", "node-03", "node-04"]);
    expect(twin.runtime.truth.host("node-03")).toEqual({ powered: true, networked: true, bmcReachable: true });
  });
});

describe("virtual machines", () => {
  it("renders the group's shape, storage, network and load into the VMI template", () => {
    const { vms } = applied((d) => {
      Object.assign(firstGroup(d), {
        labels: { app: "web" },
        cpuModel: "Skylake-Server-IBRS",
        interface: "bridge",
        evictionStrategy: "LiveMigrateIfPossible",
        volumes: [
          { name: "root", accessMode: "ReadWriteOnce" },
          { name: "scratch", type: "containerDisk" },
        ],
        load: { cpu: 0.8, memory: 0.5 },
      });
    });
    const vm = vms[0] as KubeObject;
    expect(vm.metadata).toMatchObject({
      name: "web-01",
      namespace: "apps",
      labels: { app: "web", "twin.kubedrs.io/group": "web" },
    });
    expect(at(vm, "spec", "runStrategy")).toBe("Always");
    expect(templateSpec(vm, "domain", "cpu")).toEqual({
      cores: 2,
      sockets: 1,
      threads: 1,
      model: "Skylake-Server-IBRS",
    });
    expect(templateSpec(vm, "domain", "memory")).toEqual({ guest: "4Gi" });
    expect(templateSpec(vm, "domain", "devices", "interfaces")).toEqual([{ name: "default", bridge: {} }]);
    expect(templateSpec(vm, "evictionStrategy")).toBe("LiveMigrateIfPossible");
    expect(templateSpec(vm, "volumes")).toEqual([
      { name: "root", persistentVolumeClaim: { claimName: "web-01-root" } },
      { name: "scratch", containerDisk: { image: "quay.io/containerdisks/fedora:41" } },
    ]);
    expect(JSON.parse(templateAnnotation(vm, "twin.kubedrs.io/volume-access-modes"))).toEqual({
      root: ["ReadWriteOnce"],
    });
    expect(workloadSpec.parse(JSON.parse(templateAnnotation(vm, "twin.kubedrs.io/workload")))).toMatchObject({
      cpu: 0.8,
      memory: 0.5,
    });
  });

  it("pins CPUs, backs memory with hugepages and passes GPUs through", () => {
    const { vms } = applied((d) => {
      Object.assign(firstPool(d), { cpuManager: true, hugepages: { "1Gi": "64Gi" }, gpus: 4 });
      Object.assign(firstGroup(d), {
        dedicated: true,
        isolateEmulatorThread: true,
        numaPassthrough: true,
        hugepages: "1Gi",
        gpus: 1,
      });
    });
    expect(templateSpec(vms[0], "domain", "cpu")).toMatchObject({
      dedicatedCpuPlacement: true,
      isolateEmulatorThread: true,
      numa: { guestMappingPassthrough: {} },
    });
    expect(templateSpec(vms[0], "domain", "memory")).toEqual({ guest: "4Gi", hugepages: { pageSize: "1Gi" } });
    expect(templateSpec(vms[0], "domain", "devices", "gpus")).toEqual([{ name: "gpu1", deviceName: "nvidia.com/gpu" }]);
  });

  it("turns the anti-affinity shorthand into pod anti-affinity on the group label", () => {
    const { vms } = applied((d) => (firstGroup(d).antiAffinity = { topology: "zone", required: false }));
    expect(templateSpec(vms[0], "affinity")).toEqual({
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          {
            weight: 100,
            podAffinityTerm: {
              labelSelector: { matchLabels: { "twin.kubedrs.io/group": "web" } },
              topologyKey: "topology.kubernetes.io/zone",
            },
          },
        ],
      },
    });
  });

  it("leaves the first node to the scheduler when the group has no placement", () => {
    const { vms } = applied((d) => delete firstGroup(d).placement);
    expect(vms.map(initialNode)).toEqual(vms.map(() => undefined));
  });
});

describe("starting placements", () => {
  it("puts exactly the skew's share of the VMs on the hot nodes", () => {
    const { vms } = applied((d) => {
      firstGroup(d).count = 20;
      firstGroup(d).placement = { skew: { nodes: ["node-01", "node-02"], share: 0.75 } };
    });
    const hot = vms.filter((vm) => ["node-01", "node-02"].includes(initialNode(vm) ?? ""));
    expect(hot).toHaveLength(15);
  });

  it("never fills a node beyond its allocatable memory, leaving the rest to the scheduler", () => {
    const { vms } = applied((d) => {
      Object.assign(firstGroup(d), { count: 40, memory: "16Gi", placement: { nodes: ["node-01"] } });
    });
    const placed = vms.filter((vm) => initialNode(vm) === "node-01");
    // 128Gi less the kubelet's reservations (about 118.6Gi) holds seven 16Gi guests with their
    // launcher overhead (about 16.3Gi each), not eight.
    expect(placed).toHaveLength(7);
    expect(vms.filter((vm) => initialNode(vm) === undefined)).toHaveLength(33);
  });

  it("keeps a required per-node anti-affinity group on distinct nodes", () => {
    const { vms } = applied((d) => {
      Object.assign(firstGroup(d), { count: 4, antiAffinity: { topology: "node" } });
    });
    expect(new Set(vms.map(initialNode)).size).toBe(4);
  });

  it("only uses nodes the VMs may run on", () => {
    const { vms } = applied((d) => {
      d.spec.nodePools.push({ name: "amd", count: 2, cpu: "epyc-rome", cores: 64, memory: "256Gi" });
      Object.assign(firstGroup(d), { count: 10, cpuModel: "Icelake-Server" });
    });
    expect(vms.every((vm) => initialNode(vm)?.startsWith("node-"))).toBe(true);
  });

  it("chooses the same nodes for the same seed and others for another", () => {
    const nodesFor = (seed: number): (string | undefined)[] =>
      applied((d) => (firstGroup(d).count = 30), seed).vms.map(initialNode);
    expect(nodesFor(1)).toEqual(nodesFor(1));
    expect(nodesFor(1)).not.toEqual(nodesFor(2));
  });
});

it("reports what it applied and notes it in the log", () => {
  const { result, twin } = applied((d) => d.spec.events.push({ at: "5m", type: "heal", node: "node-01" }));
  expect(result).toMatchObject({ name: "test", nodes: 4, vms: 6, events: 1 });
  expect(result.end - result.start).toBe(3_600_000);
  expect(twin.runtime.log.lines()).toContain(
    "2026-11-22T08:00:00Z NOTE TwinScenario test applied nodes=4 vms=6 events=1",
  );
});
