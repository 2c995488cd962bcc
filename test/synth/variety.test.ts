import { describe, expect, it } from "vitest";
import { LABEL, nodeCpuFromLabels } from "../../src/core/model/kubevirt-labels.ts";
import { mapSelectorMatches } from "../../src/core/model/selectors.ts";
import type { SnapshotNode, SnapshotVm } from "../../src/core/model/snapshot.ts";
import { GPU_RESOURCE, HUGEPAGES_1GI, INSTANCE_TYPE_LABEL, ZONES } from "../../src/synth/node-builder.ts";
import { GiB, MiB } from "../../src/synth/units.ts";
import { nodesByName, snapshotFor } from "./checks.ts";

const snapshot = snapshotFor({ nodes: 100, vms: 3000, seed: 3, hot: 0.2 });
const nodes = nodesByName(snapshot);

function share(predicate: (vm: SnapshotVm) => boolean): number {
  return snapshot.vms.filter(predicate).length / snapshot.vms.length;
}

function nodeOf(vm: SnapshotVm): SnapshotNode {
  return nodes.get(vm.node)!;
}

const notMigratable = (vm: SnapshotVm): boolean => vm.liveMigratable.status === "False";
const byReason = (reason: string) => (vm: SnapshotVm) => vm.liveMigratable.reason === reason;

describe("VMs the planner may not move", () => {
  it("are about 5% of all VMs, for the reasons KubeVirt gives", () => {
    expect(share(notMigratable)).toBeGreaterThan(0.03);
    expect(share(notMigratable)).toBeLessThan(0.07);
    const reasons = new Set(snapshot.vms.filter(notMigratable).map((vm) => vm.liveMigratable.reason));
    expect([...reasons].sort()).toEqual([
      "DisksNotLiveMigratable",
      "HostDeviceNotLiveMigratable",
      "InterfaceNotLiveMigratable",
    ]);
  });

  it("include GPU passthrough VMs on the tainted GPU pool", () => {
    const gpuVms = snapshot.vms.filter((vm) => vm.hostDevices.length > 0);
    expect(gpuVms.length).toBeGreaterThan(0);
    for (const vm of gpuVms) {
      expect(vm.hostDevices).toEqual([{ name: "gpu1", deviceName: GPU_RESOURCE, kind: "gpu" }]);
      expect(vm.requests[GPU_RESOURCE]).toBe(1);
      expect(vm.tolerations).toContainEqual({ key: GPU_RESOURCE, operator: "Exists", effect: "NoSchedule" });
      expect(vm.liveMigratable).toEqual({
        status: "False",
        reason: "HostDeviceNotLiveMigratable",
        message: "VMI uses a PCI host devices",
      });
      expect(nodeOf(vm).taints).toContainEqual({ key: GPU_RESOURCE, value: "present", effect: "NoSchedule" });
    }
  });

  it("include VMs whose root disk is a ReadWriteOnce filesystem PVC", () => {
    const rwo = snapshot.vms.filter(byReason("DisksNotLiveMigratable"));
    expect(rwo.length).toBeGreaterThan(0);
    for (const vm of rwo) {
      const claim = vm.volumes.find((volume) => volume.accessModes?.includes("ReadWriteOnce"));
      expect(claim).toMatchObject({ source: "persistentVolumeClaim", volumeMode: "Filesystem" });
      expect(vm.liveMigratable.message).toBe(
        `cannot migrate VMI: PVC ${claim?.claimName} is not shared, live migration requires that all PVCs must be shared (using ReadWriteMany access mode)`,
      );
    }
  });

  it("include a few with a pod-network bridge interface", () => {
    expect(share(byReason("InterfaceNotLiveMigratable"))).toBeGreaterThan(0.002);
    expect(share(byReason("InterfaceNotLiveMigratable"))).toBeLessThan(0.02);
  });
});

describe("CPU and NUMA variety", () => {
  it("has dedicated-CPU VMs with 1Gi hugepages on the CPU-manager pool, as KubeVirt renders them", () => {
    const dedicated = snapshot.vms.filter((vm) => vm.cpu.dedicated);
    expect(dedicated.length).toBeGreaterThan(10);
    for (const vm of dedicated) {
      const node = nodeOf(vm);
      expect(vm.hugepages).toEqual({ pageSize: "1Gi" });
      expect(vm.nodeSelector).toEqual({ [LABEL.cpuManager]: "true" });
      expect(vm.requests.cpu).toBe((vm.cpu.vcpus! + (vm.cpu.isolateEmulatorThread ? 1 : 0)) * 1000);
      expect(vm.requests[HUGEPAGES_1GI]).toBe(vm.guestMemory);
      expect(vm.limits).toEqual(vm.requests);
      expect(node.numa?.topologyPolicy).toBe("single-numa-node");
    }
  });

  it("has host-passthrough VMs and named-model VMs that only matching hosts offer", () => {
    expect(share((vm) => vm.cpu.model === "host-passthrough")).toBeGreaterThan(0.01);
    const skylake = snapshot.vms.filter((vm) => vm.cpu.model === "Skylake-Server-IBRS");
    expect(skylake.length).toBeGreaterThan(0);
    for (const vm of skylake) expect(nodeCpuFromLabels(nodeOf(vm).labels).vendor).toBe("Intel");
    const intelOnly = snapshot.nodes.filter((node) => node.labels[`${LABEL.cpuModel}Skylake-Server-IBRS`] === "true");
    expect(intelOnly.every((node) => nodeCpuFromLabels(node.labels).vendor === "Intel")).toBe(true);
  });

  it("requests 100m per shared vCPU and guest memory plus KubeVirt's overhead", () => {
    const shared = snapshot.vms.filter((vm) => !vm.cpu.dedicated && vm.hostDevices.length === 0);
    for (const vm of shared) {
      expect(vm.requests.cpu).toBe(vm.cpu.vcpus! * 100);
      const overhead = vm.requests.memory! - vm.guestMemory!;
      expect(overhead).toBeGreaterThanOrEqual(260 * MiB + vm.guestMemory! / 512);
      expect(overhead).toBeLessThanOrEqual(400 * MiB + vm.guestMemory! / 512);
    }
  });
});

describe("rules", () => {
  function groupsWith(topologyKey: string): Map<string, SnapshotVm[]> {
    const groups = new Map<string, SnapshotVm[]>();
    for (const vm of snapshot.vms) {
      const terms = vm.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
      if (!terms.some((term) => term.topologyKey === topologyKey)) continue;
      groups.set(vm.labels.app!, [...(groups.get(vm.labels.app!) ?? []), vm]);
    }
    return groups;
  }

  it.each([
    [LABEL.hostname, "prod-db"],
    [LABEL.zone, "prod-web"],
  ])("has replica groups of 3 kept apart on %s", (topologyKey, namespace) => {
    const groups = groupsWith(topologyKey);
    expect(groups.size).toBeGreaterThan(3);
    for (const members of groups.values()) {
      expect(members.length).toBeLessThanOrEqual(3);
      expect(members.every((vm) => vm.namespace === namespace)).toBe(true);
      const values = members.map((vm) => nodeOf(vm).labels[topologyKey]);
      expect(new Set(values).size).toBe(members.length);
    }
  });

  it("has soft spread groups with preferred anti-affinity", () => {
    expect(
      share((vm) => (vm.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).length > 0),
    ).toBeGreaterThan(0.02);
  });

  it.each([LABEL.zone, INSTANCE_TYPE_LABEL, LABEL.hostname])("has VMs pinned by nodeSelector on %s", (label) => {
    const pinned = snapshot.vms.filter((vm) => vm.nodeSelector[label] !== undefined);
    expect(pinned.length).toBeGreaterThan(0);
    for (const vm of pinned) expect(mapSelectorMatches(vm.nodeSelector, nodeOf(vm).labels)).toBe(true);
  });

  it("mixes run and eviction strategies, with LiveMigrate for most", () => {
    expect(share((vm) => vm.runStrategy === "Always")).toBeGreaterThan(0.75);
    expect(share((vm) => vm.runStrategy === "RerunOnFailure")).toBeGreaterThan(0.02);
    expect(share((vm) => vm.runStrategy === "Manual")).toBeGreaterThan(0.02);
    expect(share((vm) => vm.owner === undefined && vm.runStrategy === undefined)).toBeGreaterThan(0);
    expect(
      share((vm) => (vm.evictionStrategy ?? snapshot.kubevirt.evictionStrategy) === "LiveMigrate"),
    ).toBeGreaterThan(0.8);
  });
});

describe("nodes", () => {
  it.each(snapshot.nodes.filter((_, i) => i % 7 === 0).map((node) => [node.name, node] as const))(
    "%s carries the full KubeVirt label set",
    (name, node) => {
      const cpu = nodeCpuFromLabels(node.labels);
      expect(["Intel", "AMD"]).toContain(cpu.vendor);
      expect(Object.keys(node.labels).filter((key) => key.startsWith(LABEL.hostModelCpu))).toHaveLength(1);
      expect(cpu.models.has(cpu.hostModel!)).toBe(true);
      expect(cpu.models.size).toBeGreaterThan(5);
      expect([...cpu.models].every((model) => cpu.migrationModels.has(model))).toBe(true);
      expect(cpu.features.size).toBeGreaterThan(40);
      expect(cpu.hostModelRequiredFeatures.size).toBeGreaterThan(3);
      expect([...cpu.hostModelRequiredFeatures].every((feature) => cpu.features.has(feature))).toBe(true);
      expect(node.labels[`${LABEL.machineType}pc-q35-rhel9.6.0`]).toBe("true");
      expect(node.labels[LABEL.schedulable]).toBe("true");
      expect(node.labels[LABEL.hostname]).toBe(name);
      expect(ZONES).toContain(node.labels[LABEL.zone]);
    },
  );

  it("spans both vendors and three zones", () => {
    expect(new Set(snapshot.nodes.map((node) => nodeCpuFromLabels(node.labels).vendor))).toEqual(
      new Set(["Intel", "AMD"]),
    );
    expect(new Set(snapshot.nodes.map((node) => node.labels[LABEL.zone]))).toEqual(new Set(ZONES));
  });

  it("reserves some capacity for the system and reports two NUMA cells covering every CPU", () => {
    for (const node of snapshot.nodes) {
      expect(node.allocatable!.cpu).toBeLessThan(node.capacity.cpu!);
      expect(node.allocatable!.memory).toBeLessThan(node.capacity.memory!);
      expect(node.allocatable!.pods).toBe(250);
      const cells = node.numa!.cells;
      expect(cells).toHaveLength(2);
      const cpus = cells.flatMap((cell) => cell.cpus.split(",")).map((range) => range.split("-").map(Number));
      expect(cpus.reduce((sum, [from, to]) => sum + to! - from! + 1, 0)).toBe(node.capacity.cpu! / 1000);
    }
  });

  it("has a CPU-manager pool with 1Gi hugepages and a tainted GPU pool", () => {
    const numa = snapshot.nodes.filter((node) => node.labels[LABEL.cpuManager] === "true");
    expect(numa.length).toBeGreaterThan(0);
    for (const node of numa) {
      const pages = node.numa!.cells.reduce((sum, cell) => sum + (cell.hugepages["1Gi"] ?? 0), 0);
      expect(pages).toBeGreaterThan(0);
      expect(node.capacity[HUGEPAGES_1GI]).toBe(pages * GiB);
      expect(node.allocatable![HUGEPAGES_1GI]).toBe(pages * GiB);
    }
    const gpu = snapshot.nodes.filter((node) => (node.capacity[GPU_RESOURCE] ?? 0) > 0);
    expect(gpu.length).toBeGreaterThan(0);
    for (const node of gpu)
      expect(node.taints).toEqual([{ key: GPU_RESOURCE, value: "present", effect: "NoSchedule" }]);
  });

  it("lets host-model VMs migrate to newer hosts of their vendor but not back or across", () => {
    const hostModelSelectors = (node: SnapshotNode): Record<string, string> => {
      const cpu = nodeCpuFromLabels(node.labels);
      const selectors: Record<string, string> = {
        [LABEL.cpuModelMigration + cpu.hostModel!]: "true",
        [LABEL.cpuVendor + cpu.vendor!]: "true",
      };
      for (const feature of cpu.hostModelRequiredFeatures) selectors[LABEL.cpuFeature + feature] = "true";
      return selectors;
    };
    const byModel = (model: string) => snapshot.nodes.find((node) => node.labels[LABEL.hostModelCpu + model])!;
    const [skylake, icelake, rome, milan] = ["Skylake-Server-IBRS", "Icelake-Server", "EPYC-Rome", "EPYC-Milan"].map(
      byModel,
    );
    const canMove = (from: SnapshotNode, to: SnapshotNode) => mapSelectorMatches(hostModelSelectors(from), to.labels);
    expect(canMove(skylake!, icelake!)).toBe(true);
    expect(canMove(icelake!, skylake!)).toBe(false);
    expect(canMove(rome!, milan!)).toBe(true);
    expect(canMove(milan!, rome!)).toBe(false);
    expect(canMove(skylake!, rome!)).toBe(false);
  });
});

describe("cluster context", () => {
  it("records a few finished migrations from the last day, by kubedrs and by others", () => {
    const { migrations } = snapshot;
    const takenAt = Date.parse(snapshot.takenAt);
    expect(migrations.length).toBeGreaterThanOrEqual(3);
    const vmNames = new Set(snapshot.vms.map((vm) => `${vm.namespace}/${vm.name}`));
    for (const migration of migrations) {
      expect(["Succeeded", "Failed"]).toContain(migration.phase);
      expect(vmNames.has(`${migration.namespace}/${migration.vm}`)).toBe(true);
      expect(takenAt - Date.parse(migration.createdAt)).toBeLessThan(86_400_000);
      expect(Date.parse(migration.endedAt!)).toBeGreaterThan(Date.parse(migration.createdAt));
      expect(Date.parse(migration.endedAt!)).toBeLessThan(takenAt);
    }
    expect(new Set(migrations.map((migration) => migration.byKubedrs))).toEqual(new Set([true, false]));
  });

  it("has MigrationPolicies and labelled namespaces for every VM", () => {
    expect(snapshot.migrationPolicies.length).toBeGreaterThanOrEqual(1);
    const namespaces = new Map(snapshot.namespaces.map((ns) => [ns.name, ns.labels]));
    for (const vm of snapshot.vms) expect(namespaces.get(vm.namespace)?.env).toBeDefined();
  });
});
