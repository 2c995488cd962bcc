import { describe, it } from "vitest";
import { type MutableNode, type VmInput, buildNode, buildVm } from "../../../../../test/support/builders.ts";
import {
  type ContextOptions,
  contextFor,
  expectVerdict,
  filterVerdict,
} from "../../../../../test/support/placement-context.ts";
import { resourcesFit } from "./index.ts";

interface Case {
  name: string;
  /** The target n2: 8 cores, 16Gi unless changed. */
  target?: (node: MutableNode) => void;
  /** VMs already on (or bound for) n2, beside the incoming VM "vm" on n1. */
  others?: VmInput[];
  vm: VmInput;
  options?: ContextOptions;
  want: RegExp | undefined;
}

function extended(resources: Record<string, string | number>) {
  return (node: MutableNode) => {
    node.capacity = { ...node.capacity, ...resources };
  };
}

/** A VM of 1 core and 1Gi that also requests `resources`. */
function small(name: string, node: string, resources: Record<string, string | number> = {}): VmInput {
  return buildVm(name, node, { cpu: "1", memory: "1Gi" }, (vm) => {
    vm.requests = { ...vm.requests, ...resources };
  });
}

function inFlightMigrationOf(vm: string, phase: "Running" | "Succeeded" | "Scheduling"): ContextOptions {
  return {
    snapshot: (snapshot) => {
      snapshot.migrations = [
        {
          namespace: "default",
          name: `${vm}-move`,
          vm,
          phase,
          source: "n1",
          target: "n2",
          createdAt: "2026-11-22T09:59:00Z",
        },
      ];
    },
  };
}

describe("ResourcesFit", () => {
  it.each<Case>([
    {
      name: "a VM that fits beside the node's VMs fits",
      others: [buildVm("a", "n2", { cpu: "4", memory: "8Gi" })],
      vm: buildVm("vm", "n1", { cpu: "4", memory: "8Gi" }),
      want: undefined,
    },
    {
      name: "cpu: the reason names the resource, the request and what is free",
      others: [buildVm("a", "n2", { cpu: "6", memory: "2Gi" })],
      vm: buildVm("vm", "n1", { cpu: "4", memory: "2Gi" }),
      want: /^ResourcesFit: insufficient cpu: needs 4 cores, 2 cores free$/,
    },
    {
      name: "cpu: millicores are shown as fractional cores",
      others: [buildVm("a", "n2", { cpu: "7500m", memory: "2Gi" })],
      vm: buildVm("vm", "n1", { cpu: "1", memory: "2Gi" }),
      want: /^ResourcesFit: insufficient cpu: needs 1 cores, 0\.5 cores free$/,
    },
    {
      name: "memory: the reason names the resource and amounts in binary units",
      others: [buildVm("a", "n2", { cpu: "1", memory: "12Gi" })],
      vm: buildVm("vm", "n1", { cpu: "1", memory: "8Gi" }),
      want: /^ResourcesFit: insufficient memory: needs 8Gi, 4Gi free$/,
    },
    {
      name: "allocatable, not capacity, is what VMs may take",
      target: (node) => {
        node.allocatable = { cpu: "8", memory: "10Gi", pods: 110 };
      },
      others: [buildVm("a", "n2", { cpu: "1", memory: "4Gi" })],
      vm: buildVm("vm", "n1", { cpu: "1", memory: "8Gi" }),
      want: /^ResourcesFit: insufficient memory: needs 8Gi, 6Gi free$/,
    },
    {
      name: "pods: a node at its pod limit is rejected (each VM is one launcher pod)",
      target: (node) => {
        node.capacity = { cpu: "8", memory: "16Gi", pods: 1 };
      },
      others: [small("a", "n2")],
      vm: small("vm", "n1"),
      want: /^ResourcesFit: insufficient pods: needs 1, 0 free$/,
    },
    {
      name: "hugepages-1Gi: fits when the node's pool has room",
      target: extended({ "hugepages-1Gi": "16Gi" }),
      others: [small("a", "n2", { "hugepages-1Gi": "8Gi" })],
      vm: small("vm", "n1", { "hugepages-1Gi": "8Gi" }),
      want: undefined,
    },
    {
      name: "hugepages-1Gi: rejected when the node's pool is short",
      target: extended({ "hugepages-1Gi": "12Gi" }),
      others: [small("a", "n2", { "hugepages-1Gi": "8Gi" })],
      vm: small("vm", "n1", { "hugepages-1Gi": "8Gi" }),
      want: /^ResourcesFit: insufficient hugepages-1Gi: needs 8Gi, 4Gi free$/,
    },
    {
      name: "hugepages-1Gi: a node without a 1Gi pool is rejected",
      vm: small("vm", "n1", { "hugepages-1Gi": "4Gi" }),
      want: /^ResourcesFit: insufficient hugepages-1Gi: needs 4Gi, 0 free$/,
    },
    {
      name: "extended resource: a GPU node with a free device fits",
      target: extended({ "nvidia.com/gpu": 2 }),
      others: [small("a", "n2", { "nvidia.com/gpu": 1 })],
      vm: small("vm", "n1", { "nvidia.com/gpu": 1 }),
      want: undefined,
    },
    {
      name: "extended resource: all devices taken is rejected",
      target: extended({ "nvidia.com/gpu": 2 }),
      others: [small("a", "n2", { "nvidia.com/gpu": 2 })],
      vm: small("vm", "n1", { "nvidia.com/gpu": 1 }),
      want: /^ResourcesFit: insufficient nvidia\.com\/gpu: needs 1, 0 free$/,
    },
    {
      name: "extended resource: a node without the device is rejected",
      vm: small("vm", "n1", { "nvidia.com/gpu": 1 }),
      want: /^ResourcesFit: insufficient nvidia\.com\/gpu: needs 1, 0 free$/,
    },
    {
      name: "an overcommitted node shows nothing free, never a negative amount",
      others: [buildVm("a", "n2", { cpu: "10", memory: "2Gi" })],
      vm: buildVm("vm", "n1", { cpu: "1", memory: "2Gi" }),
      want: /^ResourcesFit: insufficient cpu: needs 1 cores, 0 cores free$/,
    },
    {
      name: "a VM reserved on the node as an in-flight migration target counts",
      others: [buildVm("mover", "n1", { cpu: "6", memory: "2Gi" })],
      vm: buildVm("vm", "n1", { cpu: "4", memory: "2Gi" }),
      options: inFlightMigrationOf("mover", "Running"),
      want: /^ResourcesFit: insufficient cpu: needs 4 cores, 2 cores free$/,
    },
    {
      name: "a migration still scheduling its target also reserves it",
      others: [buildVm("mover", "n1", { cpu: "6", memory: "2Gi" })],
      vm: buildVm("vm", "n1", { cpu: "4", memory: "2Gi" }),
      options: inFlightMigrationOf("mover", "Scheduling"),
      want: /^ResourcesFit: insufficient cpu/,
    },
    {
      name: "a finished migration reserves nothing",
      others: [buildVm("mover", "n1", { cpu: "6", memory: "2Gi" })],
      vm: buildVm("vm", "n1", { cpu: "4", memory: "2Gi" }),
      options: inFlightMigrationOf("mover", "Succeeded"),
      want: undefined,
    },
  ])("$name", ({ target, others, vm, options, want }) => {
    const ctx = contextFor(
      [buildNode("n1", { cpu: "64", memory: "256Gi" }), buildNode("n2", { cpu: "8", memory: "16Gi" }, target)],
      [vm, ...(others ?? [])],
      options,
    );
    expectVerdict(filterVerdict(resourcesFit, ctx, "vm", "n2"), want);
  });
});
