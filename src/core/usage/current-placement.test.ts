import { describe, expect, it } from "vitest";
import type { ClusterSnapshot, SnapshotNode, SnapshotVm } from "../model/snapshot.ts";
import { usageForCurrentPlacement } from "./current-placement.ts";

const flat = (value: number): { mean: number; p95: number; max: number } => ({ mean: value, p95: value, max: value });

function node(name: string, cpu: number): SnapshotNode {
  return {
    name,
    capacity: { cpu: 10_000, memory: 100 },
    usage: { cpu: flat(cpu), memory: flat(50) },
  } as unknown as SnapshotNode;
}

function vm(name: string, on: string, cpu: number): SnapshotVm {
  return { namespace: "ns", name, node: on, usage: { cpu: flat(cpu), memory: flat(10) } } as unknown as SnapshotVm;
}

function snapshot(nodes: SnapshotNode[], vms: SnapshotVm[]): ClusterSnapshot {
  return { nodes, vms } as unknown as ClusterSnapshot;
}

describe("usageForCurrentPlacement", () => {
  it("forgets a VM that left: the source's smoothed load drops at once, the target's rises", () => {
    // a (3000m smoothed) moved from n1 to n2 a minute ago; n1's smoothed usage still counts it.
    const before = snapshot([node("n1", 5_500), node("n2", 1_500)], [vm("a", "n2", 3_000), vm("b", "n1", 2_000)]);
    const latest = {
      nodes: new Map([
        ["n1", { cpuMillicores: 2_500, memoryBytes: 15 }],
        ["n2", { cpuMillicores: 4_500, memoryBytes: 15 }],
      ]),
      vms: new Map([
        ["ns/a", { cpuMillicores: 3_000, memoryBytes: 10 }],
        ["ns/b", { cpuMillicores: 2_000, memoryBytes: 10 }],
      ]),
    };
    const after = usageForCurrentPlacement(before, latest);
    // Own load: n1 2500 − 2000 = 500, n2 4500 − 3000 = 1500.
    expect(after.nodes.map((n) => n.usage?.cpu.mean)).toEqual([2_500, 4_500]);
  });

  it("keeps the smoothed node usage when a reading is missing", () => {
    const before = snapshot([node("n1", 5_500)], [vm("b", "n1", 2_000)]);
    const after = usageForCurrentPlacement(before, { nodes: new Map(), vms: new Map() });
    expect(after.nodes[0]?.usage?.cpu.mean).toBe(5_500);
  });

  it("never counts negative own load", () => {
    const before = snapshot([node("n1", 1_000)], [vm("b", "n1", 2_000)]);
    const latest = {
      nodes: new Map([["n1", { cpuMillicores: 1_000, memoryBytes: 5 }]]),
      vms: new Map([["ns/b", { cpuMillicores: 2_000, memoryBytes: 10 }]]),
    };
    expect(usageForCurrentPlacement(before, latest).nodes[0]?.usage?.cpu.mean).toBe(2_000);
  });
});
