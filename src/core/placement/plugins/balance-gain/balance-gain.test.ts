import { describe, expect, it } from "vitest";
import { type VmInput, buildNode, buildVm } from "../../../../../test/support/builders.ts";
import {
  type BalanceSpecInput,
  contextFor,
  normalizedScores,
  rawScores,
} from "../../../../../test/support/placement-context.ts";
import { balanceGain } from "./index.ts";

/** A VM on `node` using `cpu` cores and `memory` (mean, unless `p95` is given). */
function resident(name: string, node: string, cpu: string, memory: string, p95?: string): VmInput {
  return buildVm(name, node, { cpu: "1", memory: "1Gi" }, (vm) => {
    vm.usage = { cpu: p95 ? { mean: cpu, p95 } : cpu, memory };
  });
}

const mover = buildVm("vm", "n1", { cpu: "1", memory: "10Gi" });
const nodes = [
  buildNode("n1"),
  buildNode("n2", { cpu: "10", memory: "100Gi" }),
  buildNode("n3", { cpu: "10", memory: "100Gi" }),
];

function scores(residents: VmInput[], balance: BalanceSpecInput = {}) {
  return rawScores(balanceGain, contextFor(nodes, [mover, ...residents], { balance }), "vm", ["n2", "n3"]);
}

describe("BalanceGain", () => {
  it.each<{ name: string; residents: VmInput[]; balance?: BalanceSpecInput; want: { n2: number; n3: number } }>([
    {
      name: "scores the headroom left after the move, CPU and memory weighted equally",
      residents: [resident("busy", "n2", "6", "20Gi")],
      want: { n2: 50, n3: 90 },
    },
    {
      name: "with only CPU weighted it prefers the node with CPU to spare",
      residents: [resident("cpu-heavy", "n2", "6", "10Gi"), resident("memory-heavy", "n3", "1", "70Gi")],
      balance: { resources: { cpu: 1, memory: 0 } },
      want: { n2: 30, n3: 80 },
    },
    {
      name: "with only memory weighted it prefers the node with memory to spare",
      residents: [resident("cpu-heavy", "n2", "6", "10Gi"), resident("memory-heavy", "n3", "1", "70Gi")],
      balance: { resources: { cpu: 0, memory: 1 } },
      want: { n2: 80, n3: 20 },
    },
    {
      name: "weights in between blend the two",
      residents: [resident("cpu-heavy", "n2", "6", "10Gi"), resident("memory-heavy", "n3", "1", "70Gi")],
      balance: { resources: { cpu: 3, memory: 1 } },
      want: { n2: 100 - (3 * 70 + 20) / 4, n3: 100 - (3 * 20 + 80) / 4 },
    },
    {
      name: "it measures use on the policy's balance statistic (mean by default)",
      residents: [resident("spiky", "n2", "2", "10Gi", "8")],
      want: { n2: 100 - (30 + 20) / 2, n3: 90 },
    },
    {
      name: "the balance statistic comes from the BalancePolicy",
      residents: [resident("spiky", "n2", "2", "10Gi", "8")],
      balance: { utilization: { statistic: "p95" } },
      want: { n2: 100 - (90 + 20) / 2, n3: 90 },
    },
    {
      name: "a node that would be overloaded scores zero, never below",
      residents: [resident("hog", "n2", "12", "150Gi")],
      want: { n2: 0, n3: 90 },
    },
  ])("$name", ({ residents, balance, want }) => {
    const actual = scores(residents, balance);
    expect(actual.n2).toBeCloseTo(want.n2);
    expect(actual.n3).toBeCloseTo(want.n3);
  });

  it("is normalized to the best node (max)", () => {
    const ctx = contextFor(nodes, [mover, resident("busy", "n2", "6", "20Gi")]);
    const normalized = normalizedScores(balanceGain, ctx, "vm", ["n2", "n3"]);
    expect(normalized.n3).toBe(100);
    expect(normalized.n2).toBeCloseTo((100 * 50) / 90);
  });
});
