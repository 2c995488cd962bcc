import { describe, it } from "vitest";
import { type MutableNode, type VmInput, buildNode, buildVm } from "../../../../../test/support/builders.ts";
import {
  type BalanceSpecInput,
  contextFor,
  expectVerdict,
  filterVerdict,
} from "../../../../../test/support/placement-context.ts";
import type { Purpose } from "../../framework.ts";
import { usageHeadroom } from "./index.ts";

/** A VM on n2 that uses `cpu` cores and `memory`. */
function resident(cpu: string, memory = "8Gi"): VmInput {
  return buildVm("resident", "n2", { cpu, memory });
}

function incoming(apply?: Parameters<typeof buildVm>[3]): VmInput {
  return buildVm("vm", "n1", { cpu: "2", memory: "4Gi" }, apply);
}

const spiky = incoming((vm) => {
  vm.usage = { cpu: { mean: "1", p95: "2", max: "4" }, memory: "4Gi" };
});

const hugepageBacked = (hugepages: boolean) =>
  buildVm("vm", "n1", { cpu: "1", memory: "2Gi" }, (vm) => {
    // The memory request is the launcher's overhead; the 32Gi guest sits in 1Gi hugepages.
    if (hugepages) vm.hugepages = { pageSize: "1Gi" };
    vm.guestMemory = "32Gi";
    vm.usage = { cpu: "1", memory: hugepages ? "32Gi" : "34Gi" };
  });

interface Case {
  name: string;
  vms: VmInput[];
  target?: (node: MutableNode) => void;
  balance?: BalanceSpecInput;
  purpose?: Purpose;
  want: RegExp | undefined;
}

describe("UsageHeadroom", () => {
  it.each<Case>([
    { name: "a move that stays under both ceilings fits", vms: [incoming(), resident("4", "40Gi")], want: undefined },
    {
      name: "CPU use above the default 85% ceiling is rejected",
      vms: [incoming(), resident("7")],
      want: /^UsageHeadroom: CPU use would reach 90% \(p95\); the ceiling is 85%$/,
    },
    { name: "CPU use exactly at the ceiling fits", vms: [incoming(), resident("6500m")], want: undefined },
    {
      name: "the CPU ceiling comes from the BalancePolicy",
      vms: [incoming(), resident("7")],
      balance: { utilization: { maxCpu: 0.95 } },
      want: undefined,
    },
    {
      name: "memory use above the default 90% ceiling is rejected",
      vms: [incoming(), resident("1", "90Gi")],
      want: /^UsageHeadroom: memory use would reach 94% \(p95\); the ceiling is 90%$/,
    },
    {
      name: "the memory ceiling comes from the BalancePolicy",
      vms: [incoming(), resident("1", "90Gi")],
      balance: { utilization: { maxMemory: 0.95 } },
      want: undefined,
    },
    {
      name: "mean use fits where p95 use would not",
      vms: [spiky, resident("7")],
      balance: { utilization: { headroomStatistic: "mean" } },
      want: undefined,
    },
    {
      name: "the ceilings are checked on p95 use by default, which can exceed where mean use fits",
      vms: [spiky, resident("7")],
      want: /^UsageHeadroom: CPU use would reach 90% \(p95\); the ceiling is 85%$/,
    },
    {
      name: "the max statistic can be chosen for the ceilings",
      vms: [spiky, resident("5")],
      balance: { utilization: { headroomStatistic: "max" } },
      want: /^UsageHeadroom: CPU use would reach 90% \(max\); the ceiling is 85%$/,
    },
    {
      name: "the balance statistic does not change the headroom statistic",
      vms: [spiky, resident("7")],
      balance: { utilization: { statistic: "mean" } },
      want: /^UsageHeadroom: CPU use would reach 90% \(p95\)/,
    },
    {
      name: "a VM without usage data counts at its requests",
      vms: [
        incoming((vm) => {
          delete vm.usage;
        }),
        resident("7"),
      ],
      want: /^UsageHeadroom: CPU use would reach 90% \(p95\)/,
    },
    {
      name: "system load on the node beyond its VMs counts",
      vms: [incoming()],
      target: (node) => {
        node.usage = { cpu: "7", memory: "10Gi" };
      },
      want: /^UsageHeadroom: CPU use would reach 90% \(p95\); the ceiling is 85%$/,
    },
    {
      name: "a hugepage-backed VM weighs only its overhead on regular memory",
      vms: [hugepageBacked(true), resident("1", "80Gi")],
      want: undefined,
    },
    {
      name: "the same guest without hugepages weighs its whole memory",
      vms: [hugepageBacked(false), resident("1", "80Gi")],
      want: /^UsageHeadroom: memory use would reach 114% \(p95\); the ceiling is 90%$/,
    },
    {
      name: "evacuation is held to the ceilings",
      vms: [incoming(), resident("7")],
      purpose: "evacuate",
      want: /^UsageHeadroom: CPU use would reach 90%/,
    },
    {
      name: "a restart after a host failure is not held to the ceilings",
      vms: [incoming(), resident("7", "95Gi")],
      purpose: "restart",
      want: undefined,
    },
  ])("$name", ({ vms, target, balance, purpose, want }) => {
    const ctx = contextFor([buildNode("n1"), buildNode("n2", { cpu: "10", memory: "100Gi" }, target)], vms, {
      ...(balance ? { balance } : {}),
      purpose: purpose ?? "balance",
    });
    expectVerdict(filterVerdict(usageHeadroom, ctx, "vm", "n2"), want);
  });
});
