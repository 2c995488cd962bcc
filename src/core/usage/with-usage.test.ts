import { describe, expect, it } from "vitest";
import { buildNode, buildVm, snapshotOf } from "../../../test/support/builders.ts";
import type { ClusterSnapshot } from "../model/snapshot.ts";
import type { NodeUsageSummaries, VmUsageSummaries } from "./summaries.ts";
import { withUsage } from "./with-usage.ts";

const GiB = 2 ** 30;

function flat(value: number): { mean: number; p95: number; max: number } {
  return { mean: value, p95: value, max: value };
}

function summary(mean: number, p95: number, max: number): { mean: number; p95: number; max: number } {
  return { mean, p95, max };
}

/** node-a measured before (4 cores, 16 GiB, some pressure), node-b never; two VMs on node-a, one measured. */
function baseSnapshot(): ClusterSnapshot {
  return snapshotOf(
    [
      buildNode("node-a", {}, (node) => {
        node.usage = { cpu: "4", memory: "16Gi", pressure: { cpuSome: 0.1, memorySome: 0.2 } };
      }),
      buildNode("node-b"),
    ],
    [
      buildVm("db", "node-a", {}, (vm) => {
        vm.namespace = "tenant";
        vm.usage = { cpu: "1", memory: "2Gi", dirtyRate: 1000, vcpuDelay: 0.05 };
      }),
      buildVm("web", "node-a", {}, (vm) => {
        delete vm.usage;
      }),
    ],
  );
}

function nodeUsage(snapshot: ClusterSnapshot, name: string): unknown {
  return snapshot.nodes.find((node) => node.name === name)?.usage;
}

function vmUsage(snapshot: ClusterSnapshot, key: string): unknown {
  return snapshot.vms.find((vm) => `${vm.namespace}/${vm.name}` === key)?.usage;
}

describe("withUsage", () => {
  it.each<{ name: string; node: string; fresh: NodeUsageSummaries; expected: unknown }>([
    {
      name: "replaces measured signals and keeps the rest",
      node: "node-a",
      fresh: { cpu: summary(5000, 6000, 7000), cpuPressure: flat(0.3) },
      expected: {
        cpu: summary(5000, 6000, 7000),
        memory: flat(16 * GiB),
        pressure: { cpuSome: 0.3, memorySome: 0.2 },
      },
    },
    {
      name: "fills a node measured for the first time",
      node: "node-b",
      fresh: { cpu: flat(320), memory: flat(2 * GiB) },
      expected: { cpu: flat(320), memory: flat(2 * GiB) },
    },
    {
      name: "keeps no usage when half of cpu and memory is all there is",
      node: "node-b",
      fresh: { cpu: flat(320) },
      expected: undefined,
    },
    {
      name: "clamps a pressure share into 0..1",
      node: "node-b",
      fresh: { cpu: flat(1), memory: flat(1), cpuPressure: flat(1.02) },
      expected: { cpu: flat(1), memory: flat(1), pressure: { cpuSome: 1 } },
    },
  ])("node: $name", ({ node, fresh, expected }) => {
    const result = withUsage(baseSnapshot(), { windowSeconds: 300, nodes: new Map([[node, fresh]]), vms: new Map() });
    expect(nodeUsage(result, node)).toEqual(expected);
  });

  it.each<{ name: string; vm: string; read?: string; fresh: VmUsageSummaries; expected: unknown }>([
    {
      name: "replaces measured signals and keeps the rest",
      vm: "tenant/db",
      fresh: { cpu: summary(800, 900, 950), vcpuDelay: summary(0.2, 0.4, 0.5) },
      expected: { cpu: summary(800, 900, 950), memory: flat(2 * GiB), dirtyRate: flat(1000), vcpuDelay: 0.2 },
    },
    {
      name: "fills a VM measured for the first time",
      vm: "default/web",
      fresh: { cpu: flat(100), memory: flat(GiB), dirtyRate: summary(5, 8, 9) },
      expected: { cpu: flat(100), memory: flat(GiB), dirtyRate: summary(5, 8, 9) },
    },
    {
      name: "matches by namespace and name, not name alone",
      vm: "default/db",
      read: "tenant/db",
      fresh: { cpu: flat(1), memory: flat(1) },
      expected: { cpu: flat(1000), memory: flat(2 * GiB), dirtyRate: flat(1000), vcpuDelay: 0.05 },
    },
  ])("VM: $name", ({ vm, read, fresh, expected }) => {
    const result = withUsage(baseSnapshot(), { windowSeconds: 300, nodes: new Map(), vms: new Map([[vm, fresh]]) });
    expect(vmUsage(result, read ?? vm)).toEqual(expected);
  });

  it("sets the usage window, leaves unmeasured objects as they were and the input unchanged", () => {
    const before = baseSnapshot();
    const copy = structuredClone(before);
    const after = withUsage(before, {
      windowSeconds: 120,
      nodes: new Map([["node-b", { cpu: flat(1), memory: flat(1) }]]),
      vms: new Map([["default/web", { cpu: flat(1), memory: flat(1) }]]),
    });
    expect(before).toEqual(copy);
    expect(after.usageWindow).toBe(120);
    expect(after.nodes[0]).toBe(before.nodes[0]);
    expect(after.vms[0]).toBe(before.vms[0]);
    expect(after.nodes[1]).not.toBe(before.nodes[1]);
    expect(after.nodes.map((node) => node.name)).toEqual(["node-a", "node-b"]);
  });
});
