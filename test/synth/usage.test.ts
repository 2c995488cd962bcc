import { describe, expect, it } from "vitest";
import type { ClusterSnapshot, SnapshotNode } from "../../src/core/model/snapshot.ts";
import { GPU_RESOURCE } from "../../src/synth/node-builder.ts";
import { MiB } from "../../src/synth/units.ts";
import { cpuUtilization, snapshotFor, vmsOn } from "./checks.ts";

function isGpuNode(node: SnapshotNode): boolean {
  return (node.capacity[GPU_RESOURCE] ?? 0) > 0;
}

function utilizations(snapshot: ClusterSnapshot): number[] {
  return snapshot.nodes.map(cpuUtilization);
}

describe.each([0.1, 0.25, 0.5])("hot = %s", (hot) => {
  const snapshot = snapshotFor({ nodes: 80, vms: 2400, seed: 21, hot });

  it("runs that fraction of the nodes at 80–95% of allocatable CPU", () => {
    const hotNodes = utilizations(snapshot).filter((u) => u >= 0.78);
    expect(hotNodes).toHaveLength(Math.round(hot * snapshot.nodes.length));
    for (const u of hotNodes) expect(u).toBeLessThanOrEqual(0.95);
  });

  it("keeps the other nodes calm, at 25–45% unless they have almost no VMs", () => {
    const byNode = vmsOn(snapshot);
    const calm = snapshot.nodes.filter((node) => cpuUtilization(node) < 0.78);
    for (const node of calm) expect(cpuUtilization(node)).toBeLessThanOrEqual(0.46);
    const busyEnough = calm.filter((node) => !isGpuNode(node) && (byNode.get(node.name)?.length ?? 0) >= 10);
    for (const node of busyEnough) expect(cpuUtilization(node)).toBeGreaterThanOrEqual(0.24);
  });

  it("packs the hot nodes fuller, by share of allocatable memory requested", () => {
    const byNode = vmsOn(snapshot);
    const requestedShare = (node: SnapshotNode): number =>
      (byNode.get(node.name) ?? []).reduce((sum, vm) => sum + (vm.requests.memory ?? 0), 0) / node.allocatable!.memory!;
    const mean = (nodes: SnapshotNode[]): number => nodes.reduce((sum, n) => sum + requestedShare(n), 0) / nodes.length;
    const general = snapshot.nodes.filter((node) => !isGpuNode(node));
    const hotNodes = general.filter((node) => cpuUtilization(node) >= 0.78);
    const calmNodes = general.filter((node) => cpuUtilization(node) < 0.78);
    expect(mean(hotNodes)).toBeGreaterThan(mean(calmNodes) + 0.1);
  });
});

describe("hot = 0", () => {
  const snapshot = snapshotFor({ nodes: 80, vms: 2400, seed: 22 });
  const loaded = snapshot.nodes.filter((node) => !isGpuNode(node)).map(cpuUtilization);

  it("has no hot node, but the load is uneven", () => {
    expect(Math.max(...utilizations(snapshot))).toBeLessThanOrEqual(0.46);
    expect(Math.max(...loaded) - Math.min(...loaded)).toBeGreaterThan(0.1);
    expect(Math.max(...loaded) - Math.min(...loaded)).toBeLessThan(0.25);
  });
});

describe("usage", () => {
  const snapshot = snapshotFor({ nodes: 60, vms: 1800, seed: 23, hot: 0.2 });
  const byNode = vmsOn(snapshot);

  it("gives every VM ordered summaries within what it can physically use", () => {
    const problems = snapshot.vms.flatMap((vm) => {
      const { cpu, memory, dirtyRate, vcpuDelay } = vm.usage!;
      const guest = vm.guestMemory!;
      const checks: [string, boolean][] = [
        ["ordered", [cpu, memory, dirtyRate!].every((s) => s.mean <= s.p95 && s.p95 <= s.max)],
        ["cpu within vCPUs", cpu.max <= vm.cpu.vcpus! * 1000],
        ["resident 50–95% of guest", memory.mean >= 0.5 * guest && memory.mean <= 0.95 * guest],
        ["memory within guest", memory.max <= guest],
        ["small vCPU delay", vcpuDelay! >= 0 && vcpuDelay! < 0.2],
      ];
      return checks.filter(([, ok]) => !ok).map(([what]) => `${vm.name}: ${what}`);
    });
    expect(problems).toEqual([]);
  });

  it("loads most VMs lightly and a few heavily", () => {
    const shares = snapshot.vms.map((vm) => vm.usage!.cpu.mean / (vm.cpu.vcpus! * 1000)).sort((a, b) => a - b);
    const median = shares[Math.floor(shares.length / 2)]!;
    const heavy = shares.filter((share) => share > 0.5).length / shares.length;
    expect(median).toBeLessThan(0.3);
    expect(heavy).toBeGreaterThan(0.01);
    expect(heavy).toBeLessThan(0.3);
  });

  it("has most dirty rates at 1–50 MiB/s and a few at 200–800 MiB/s", () => {
    const rates = snapshot.vms.map((vm) => vm.usage!.dirtyRate!.mean / MiB);
    const light = rates.filter((rate) => rate >= 1 && rate <= 50).length / rates.length;
    const heavy = rates.filter((rate) => rate >= 200 && rate <= 800).length / rates.length;
    expect(light).toBeGreaterThan(0.85);
    expect(heavy).toBeGreaterThan(0.01);
    expect(light + heavy).toBeCloseTo(1, 6);
  });

  it("makes each node's usage its VMs' usage plus a small system base", () => {
    for (const node of snapshot.nodes) {
      const vms = byNode.get(node.name) ?? [];
      const vmCpu = vms.reduce((sum, vm) => sum + vm.usage!.cpu.mean, 0);
      const base = node.usage!.cpu.mean - vmCpu;
      expect(base).toBeGreaterThanOrEqual(0.009 * node.allocatable!.cpu!);
      expect(base).toBeLessThanOrEqual(0.021 * node.allocatable!.cpu!);
      const vmMemory = vms
        .filter((vm) => vm.hugepages === undefined)
        .reduce((sum, vm) => sum + vm.usage!.memory.mean, 0);
      expect(node.usage!.memory.mean).toBeGreaterThan(vmMemory);
      expect(node.usage!.memory.mean).toBeLessThan(node.capacity.memory!);
      expect(node.usage!.cpu.p95).toBeGreaterThanOrEqual(node.usage!.cpu.mean);
      expect(node.usage!.cpu.max).toBeGreaterThanOrEqual(node.usage!.cpu.p95);
    }
  });
});
