import { describe, expect, it } from "vitest";
import {
  type MutableVm,
  type NodeInput,
  type VmInput,
  buildNode,
  buildVm,
} from "../../../../../test/support/builders.ts";
import { contextFor, expectVerdict, filterVerdict, rawScores } from "../../../../../test/support/placement-context.ts";
import { allocateNuma, freeFromLayout, type TopologyPolicy } from "../../../model/numa.ts";
import { numaFit, numaLocality } from "./index.ts";

/** n2 with two NUMA cells of 8 CPUs and `pages` free 1Gi hugepages each. */
function numaNode(policy: TopologyPolicy, pages = 4): NodeInput {
  return buildNode("n2", { cpu: "16", memory: "64Gi" }, (node) => {
    node.capacity = { ...node.capacity, "hugepages-1Gi": `${2 * pages}Gi` };
    node.numa = {
      topologyPolicy: policy,
      cells: [
        { id: 0, cpus: "0-7", hugepages: { "1Gi": pages } },
        { id: 1, cpus: "8-15", hugepages: { "1Gi": pages } },
      ],
    };
  });
}

function dedicated(vcpus: number, options: { hugepagesGi?: number; isolateEmulatorThread?: boolean } = {}) {
  return (vm: MutableVm) => {
    vm.cpu = { vcpus, dedicated: true, isolateEmulatorThread: options.isolateEmulatorThread ?? false };
    if (options.hugepagesGi !== undefined) {
      vm.hugepages = { pageSize: "1Gi" };
      vm.guestMemory = `${options.hugepagesGi}Gi`;
    }
  };
}

function hugepagesOnly(gi: number) {
  return (vm: MutableVm) => {
    vm.hugepages = { pageSize: "1Gi" };
    vm.guestMemory = `${gi}Gi`;
  };
}

interface Case {
  name: string;
  target: NodeInput;
  vm: (vm: MutableVm) => void;
  /** VMs already on n2, holding CPUs and pages in its cells. */
  others?: VmInput[];
  want: RegExp | undefined;
}

const cases: Case[] = [
  {
    name: "a VM without dedicated CPUs or hugepages fits a node without NUMA topology",
    target: buildNode("n2"),
    vm: () => {},
    want: undefined,
  },
  {
    name: "dedicated CPUs on a node without NUMA topology are rejected",
    target: buildNode("n2"),
    vm: dedicated(4),
    want: /^NumaFit: the node reports no NUMA topology for dedicated CPUs or hugepages$/,
  },
  {
    name: "hugepages on a node without NUMA topology are rejected",
    target: buildNode("n2"),
    vm: hugepagesOnly(2),
    want: /^NumaFit: the node reports no NUMA topology/,
  },
  {
    name: "single-numa-node: CPUs that fit one cell fit",
    target: numaNode("single-numa-node"),
    vm: dedicated(6),
    want: undefined,
  },
  {
    name: "single-numa-node: more CPUs than any cell has are rejected",
    target: numaNode("single-numa-node"),
    vm: dedicated(10),
    want: /^NumaFit: topology policy single-numa-node: no NUMA cell is large enough for 10 dedicated CPUs$/,
  },
  {
    name: "single-numa-node: the isolated emulator thread takes a CPU of its own",
    target: numaNode("single-numa-node"),
    vm: dedicated(8, { isolateEmulatorThread: true }),
    want: /^NumaFit: topology policy single-numa-node: no NUMA cell is large enough for 9 dedicated CPUs$/,
  },
  {
    name: "single-numa-node: a cell large enough but partly taken is rejected",
    target: numaNode("single-numa-node"),
    others: [buildVm("a", "n2", { cpu: "4" }, dedicated(4)), buildVm("b", "n2", { cpu: "4" }, dedicated(4))],
    vm: dedicated(6),
    want: /^NumaFit: needs 6 dedicated CPUs from one NUMA cell; not enough free$/,
  },
  {
    name: "restricted: a request wider than one cell may span the two it needs",
    target: numaNode("restricted"),
    vm: dedicated(10),
    want: undefined,
  },
  {
    name: "restricted: a request that fits one cell must come from one cell",
    target: numaNode("restricted"),
    others: [buildVm("a", "n2", { cpu: "4" }, dedicated(4)), buildVm("b", "n2", { cpu: "4" }, dedicated(4))],
    vm: dedicated(6),
    want: /^NumaFit: needs 6 dedicated CPUs from one NUMA cell; not enough free$/,
  },
  {
    name: "best-effort: a request may spread over cells when no single cell has room",
    target: numaNode("best-effort"),
    others: [buildVm("a", "n2", { cpu: "4" }, dedicated(4)), buildVm("b", "n2", { cpu: "4" }, dedicated(4))],
    vm: dedicated(6),
    want: undefined,
  },
  {
    name: "best-effort: still rejected when all cells together are short",
    target: numaNode("best-effort"),
    others: [buildVm("a", "n2", { cpu: "6" }, dedicated(6)), buildVm("b", "n2", { cpu: "6" }, dedicated(6))],
    vm: dedicated(6),
    want: /^NumaFit: needs 6 dedicated CPUs from the NUMA cells; not enough free$/,
  },
  {
    name: "hugepages: pages that fit one cell fit under single-numa-node",
    target: numaNode("single-numa-node"),
    vm: dedicated(2, { hugepagesGi: 4 }),
    want: undefined,
  },
  {
    name: "hugepages: more pages than any cell holds are rejected under single-numa-node",
    target: numaNode("single-numa-node"),
    vm: dedicated(2, { hugepagesGi: 6 }),
    want: /^NumaFit: topology policy single-numa-node: no NUMA cell is large enough for 2 dedicated CPUs and 6 × 1Gi hugepages$/,
  },
  {
    name: "hugepages: pages are counted per cell, so pages taken in each cell block a single-cell fit",
    target: numaNode("single-numa-node"),
    others: [buildVm("a", "n2", { cpu: "1" }, hugepagesOnly(2)), buildVm("b", "n2", { cpu: "1" }, hugepagesOnly(2))],
    vm: hugepagesOnly(3),
    want: /^NumaFit: needs 0 dedicated CPUs and 3 × 1Gi hugepages from one NUMA cell; not enough free$/,
  },
  {
    name: "hugepages: restricted lets pages span the two cells they need",
    target: numaNode("restricted"),
    vm: hugepagesOnly(6),
    want: undefined,
  },
  {
    name: "hugepages: best-effort takes pages from both cells",
    target: numaNode("best-effort"),
    vm: dedicated(2, { hugepagesGi: 7 }),
    want: undefined,
  },
  {
    name: "hugepages: more pages than the node has are rejected whatever the policy",
    target: numaNode("best-effort"),
    vm: hugepagesOnly(9),
    want: /^NumaFit: needs 0 dedicated CPUs and 9 × 1Gi hugepages; the node's NUMA cells cannot hold that even when empty$/,
  },
  {
    name: "hugepages: a node with cells but no pool of the VM's page size is rejected",
    target: numaNode("best-effort", 0),
    vm: hugepagesOnly(1),
    want: /^NumaFit: needs 0 dedicated CPUs and 1 × 1Gi hugepages; the node's NUMA cells cannot hold that even when empty$/,
  },
];

describe("NumaFit", () => {
  it.each(cases)("$name", ({ target, vm, others, want }) => {
    const ctx = contextFor(
      [buildNode("n1", { cpu: "64", memory: "256Gi" }), target],
      [buildVm("vm", "n1", { cpu: "2", memory: "2Gi" }, vm), ...(others ?? [])],
    );
    expectVerdict(filterVerdict(numaFit, ctx, "vm", "n2"), want);
  });
});

describe("NumaLocality", () => {
  it.each([
    { name: "a VM without NUMA demand scores full anywhere", target: buildNode("n2"), vm: () => {}, want: 100 },
    { name: "a request from one cell scores full", target: numaNode("best-effort"), vm: dedicated(6), want: 100 },
    {
      name: "a request spread over two cells scores half",
      target: numaNode("best-effort"),
      vm: dedicated(10),
      want: 50,
    },
    {
      name: "a request the node cannot hold scores zero",
      target: numaNode("single-numa-node"),
      vm: dedicated(10),
      want: 0,
    },
    {
      name: "a node without NUMA topology scores zero for dedicated CPUs",
      target: buildNode("n2"),
      vm: dedicated(2),
      want: 0,
    },
  ])("$name", ({ target, vm, want }) => {
    const ctx = contextFor([buildNode("n1", { cpu: "64", memory: "256Gi" }), target], [buildVm("vm", "n1", {}, vm)]);
    expect(rawScores(numaLocality, ctx, "vm", ["n2"])).toEqual({ n2: want });
  });
});

describe("NumaFit chooses among every allowed cell", () => {
  it("finds the cell with the hugepages even when another cell has more free CPUs", () => {
    // Cell 0: 8 CPUs, no 1Gi pages. Cell 1: 4 CPUs, 8 pages. A VM needing 2 CPUs and 4 pages fits cell 1 only.
    const layout = {
      policy: "single-numa-node" as const,
      cells: [
        { id: 0, cpus: 8, hugepages: {} },
        { id: 1, cpus: 4, hugepages: { "1Gi": 8 } },
      ],
    };
    const free = freeFromLayout(layout);
    expect(allocateNuma(layout, free, { cpus: 2, pageSize: "1Gi", pages: 4 })).toEqual([
      { cell: 1, cpus: 2, pages: 4 },
    ]);
  });
});
