import { describe, expect, it } from "vitest";
import { EMPTY_POLICY_SET, type PolicySet } from "../policy/policy-set.ts";
import {
  type MutableNode,
  type NodeInput,
  type VmInput,
  buildNode,
  buildVm,
  modelOf,
} from "../../../test/support/builders.ts";
import { failoverPolicy, policiesOf } from "../../../test/support/failover-policies.ts";
import { failuresTolerated } from "./capacity-reserve.ts";

const ALL = policiesOf(failoverPolicy("hosts"));
const GOLD = policiesOf(failoverPolicy("gold", { nodeSelector: { matchLabels: { pool: "gold" } } }));

/** A Ready node of 32 CPU and `memory`, changed by `apply`. */
function host(name: string, memory = "128Gi", apply?: (node: MutableNode) => void): NodeInput {
  return buildNode(name, { cpu: "32", memory }, (node) => {
    node.conditions = [{ type: "Ready", status: "True" }];
    apply?.(node);
  });
}

const gold = (node: MutableNode): void => {
  node.labels = { ...node.labels, pool: "gold" };
};

interface Shape {
  readonly memory?: string;
  readonly cpu?: string;
  readonly runStrategy?: VmInput["runStrategy"];
  /** Name prefix; the node's name by default. */
  readonly prefix?: string;
}

/** `count` VMs of `cpu` (2) and `memory` (16Gi) on `node`, named prefix-vm0, prefix-vm1, … */
function vms(
  node: string,
  count: number,
  { memory = "16Gi", cpu = "2", runStrategy, prefix = node }: Shape = {},
): VmInput[] {
  return Array.from({ length: count }, (_, i) =>
    buildVm(`${prefix}-vm${i}`, node, { cpu, memory }, (vm) => {
      if (runStrategy !== undefined) vm.runStrategy = runStrategy;
    }),
  );
}

interface Case {
  readonly name: string;
  readonly nodes: NodeInput[];
  readonly vms: VmInput[];
  readonly policies?: PolicySet;
  readonly tolerated: number;
  readonly reason: RegExp;
}

describe("failuresTolerated: how many of the worst host failures the protected VMs survive", () => {
  it.each<Case>([
    {
      name: "three half-full nodes absorb one loss, not two",
      nodes: [host("n1"), host("n2"), host("n3")],
      vms: [...vms("n1", 4), ...vms("n2", 4), ...vms("n3", 4)],
      tolerated: 1,
      reason:
        /^tolerates 1 host failure\(s\), enough: losing the 2 node\(s\) holding the most protected requests \(n1, n2\) leaves default\/n2-vm0 \(2 CPU, 16Gi\) nowhere to restart$/,
    },
    {
      name: "the busiest node is lost first",
      nodes: [host("n1"), host("n2"), host("n3")],
      vms: [...vms("n1", 1), ...vms("n2", 7), ...vms("n3", 1)],
      tolerated: 1,
      reason: /losing the 2 node\(s\) holding the most protected requests \(n2, n1\) leaves default\/n2-vm6/,
    },
    {
      name: "first fit, not the sum: two 30Gi gaps do not take a 40Gi VM",
      nodes: [host("n1", "64Gi"), host("n2", "64Gi"), host("n3", "64Gi")],
      vms: [
        ...vms("n1", 1, { memory: "40Gi" }),
        ...vms("n2", 1, { memory: "34Gi" }),
        ...vms("n3", 1, { memory: "34Gi" }),
      ],
      tolerated: 0,
      reason: /^tolerates 0 host failure\(s\), short of the 1 wanted: .*\(n1\) leaves default\/n1-vm0 \(2 CPU, 40Gi\)/,
    },
    {
      name: "largest first: the 24Gi VM takes the 24Gi gap before the 8Gi ones split it",
      nodes: [host("n1", "64Gi"), host("n2", "64Gi"), host("n3", "64Gi")],
      vms: [
        ...vms("n1", 1, { memory: "24Gi", prefix: "big" }),
        ...vms("n1", 2, { memory: "8Gi", prefix: "small" }),
        ...vms("n2", 1, { memory: "40Gi", runStrategy: "Manual", prefix: "kept2" }),
        ...vms("n3", 1, { memory: "48Gi", runStrategy: "Manual", prefix: "kept3" }),
      ],
      tolerated: 1,
      reason: /^tolerates 1 host failure\(s\), enough: .* \(n1, n2\) leaves default\/big-vm0 \(2 CPU, 24Gi\)/,
    },
    {
      name: "CPU counts too: memory to spare but no cores",
      nodes: [host("n1"), host("n2")],
      vms: [...vms("n1", 10, { memory: "1Gi" }), ...vms("n2", 10, { memory: "1Gi" })],
      tolerated: 0,
      reason: /\(n1\) leaves default\/n1-vm6 \(2 CPU, 1Gi\)/,
    },
    {
      name: "pod slots count too",
      nodes: [
        host("n1", "128Gi", (node) => (node.capacity = { cpu: "32", memory: "128Gi", pods: 2 })),
        host("n2", "128Gi", (node) => (node.capacity = { cpu: "32", memory: "128Gi", pods: 2 })),
      ],
      vms: [...vms("n1", 1, { memory: "1Gi" }), ...vms("n2", 2, { memory: "1Gi" })],
      tolerated: 0,
      reason: /\(n2\) leaves default\/n2-vm1/,
    },
    {
      name: "Manual and Halted VMs are not protected: they do not restart by themselves",
      nodes: [host("n1"), host("n2")],
      vms: [
        ...vms("n1", 5, { runStrategy: "Manual", prefix: "manual" }),
        ...vms("n2", 5, { runStrategy: "Halted", prefix: "halted" }),
        ...vms("n1", 1, { memory: "8Gi" }),
      ],
      tolerated: 1,
      reason:
        /losing the 2 node\(s\) holding the most protected requests \(n1, n2\) leaves default\/n1-vm0 \(2 CPU, 8Gi\)/,
    },
    {
      name: "VMs on nodes no policy selects are not protected, but those nodes take restarts",
      nodes: [host("g1", "128Gi", gold), host("u1"), host("u2")],
      vms: [...vms("g1", 4), ...vms("u1", 2), ...vms("u2", 2)],
      policies: GOLD,
      tolerated: 2,
      reason: /losing the 3 node\(s\) .* \(g1, u1, u2\) leaves default\/g1-vm0/,
    },
    {
      name: "cordoned, maintenance and NotReady nodes take no restarts",
      nodes: [
        host("n1"),
        host("n2", "128Gi", (node) => (node.unschedulable = true)),
        host("n3", "128Gi", (node) => (node.annotations = { "kubedrs.io/maintenance": "firmware" })),
        host("n4", "128Gi", (node) => (node.conditions = [{ type: "Ready", status: "False" }])),
      ],
      vms: vms("n1", 1, { memory: "1Gi" }),
      tolerated: 0,
      reason: /\(n1\) leaves default\/n1-vm0 \(2 CPU, 1Gi\) nowhere to restart/,
    },
    {
      name: "no policy: nothing to protect, any number of failures",
      nodes: [host("n1"), host("n2")],
      vms: vms("n1", 3),
      policies: EMPTY_POLICY_SET,
      tolerated: 2,
      reason: /^nothing to protect: no FailoverPolicy selects a node$/,
    },
    {
      name: "only Halted VMs: nothing to protect",
      nodes: [host("n1"), host("n2")],
      vms: vms("n1", 3, { runStrategy: "Halted" }),
      tolerated: 2,
      reason: /^nothing to protect: no VM on them restarts by itself$/,
    },
  ])("$name", ({ nodes, vms: machines, policies = ALL, tolerated, reason }) => {
    const reserve = failuresTolerated(modelOf(nodes, machines), policies);
    expect(reserve.tolerated).toBe(tolerated);
    expect(reserve.reason).toMatch(reason);
  });

  it("wants the most any FailoverPolicy asks for, 0 without one", () => {
    const model = modelOf([host("n1"), host("n2")], vms("n1", 1));
    const two = failoverPolicy("a", { admissionControl: { hostFailuresToTolerate: 2 } });
    const one = failoverPolicy("b", { admissionControl: { hostFailuresToTolerate: 1 } });
    expect(failuresTolerated(model, policiesOf(one, two)).wanted).toBe(2);
    expect(failuresTolerated(model, ALL).wanted).toBe(1);
    expect(failuresTolerated(model, EMPTY_POLICY_SET).wanted).toBe(0);
    expect(failuresTolerated(model, policiesOf(two)).reason).toMatch(
      /^tolerates 1 host failure\(s\), short of the 2 wanted/,
    );
  });

  it("a packing for k + 1 losses is one for k: first fit missing one for 2 does not hide that 3 fit", () => {
    // First fit finds no room for vm-03 when n6 and n2 are lost, but packs everything when n4 is lost as well;
    // that packing, without n4's VM, places the two-node loss too.
    const sizes: [string, number, number][] = [
      ["n0", 16, 24],
      ["n1", 4, 8],
      ["n2", 4, 8],
      ["n3", 8, 16],
      ["n4", 4, 8],
      ["n5", 8, 8],
      ["n6", 4, 8],
    ];
    const placed: [string, number, number][] = [
      ["n6", 1, 12],
      ["n4", 6, 12],
      ["n1", 1, 1],
      ["n2", 6, 1],
      ["n2", 6, 3],
      ["n5", 3, 1],
      ["n0", 4, 8],
      ["n6", 4, 6],
    ];
    const model = modelOf(
      sizes.map(([name, cpu, memory]) =>
        host(name, `${memory}Gi`, (node) => (node.capacity = { cpu: String(cpu), memory: `${memory}Gi`, pods: 110 })),
      ),
      placed.map(([node, cpu, memory], i) => buildVm(`vm-0${i}`, node, { cpu: String(cpu), memory: `${memory}Gi` })),
    );
    const reserve = failuresTolerated(model, ALL);
    expect(reserve.tolerated).toBe(3);
    expect(reserve.reason).toMatch(
      /losing the 4 node\(s\) .* \(n6, n2, n4, n0\) leaves default\/vm-00 \(1 CPU, 12Gi\)/,
    );
  });

  it("is a heuristic: shrinking the busiest node can make a node with one large VM the worst, and lower it", () => {
    // 64Gi nodes. n1: 2 × 20Gi protected plus 10Gi it keeps (Manual); n2: one 38Gi VM; n3: one 30Gi VM; 4 CPU each.
    const nodes = [host("n1", "64Gi"), host("n2", "64Gi"), host("n3", "64Gi")];
    const others = [
      ...vms("n1", 1, { memory: "10Gi", runStrategy: "Manual", prefix: "kept" }),
      ...vms("n2", 1, { memory: "38Gi", cpu: "4" }),
      ...vms("n3", 1, { memory: "30Gi", cpu: "4" }),
    ];
    // Losing n1, the busiest, is absorbed: one 20Gi VM into each gap (26Gi, 34Gi).
    expect(failuresTolerated(modelOf(nodes, [...vms("n1", 2, { memory: "20Gi" }), ...others]), ALL).tolerated).toBe(1);
    // With one of n1's VMs gone, n2 is the busiest, and its 38Gi VM fits neither 34Gi gap.
    const fewer = failuresTolerated(modelOf(nodes, [...vms("n1", 1, { memory: "20Gi" }), ...others]), ALL);
    expect(fewer.tolerated).toBe(0);
    expect(fewer.reason).toMatch(/\(n2\) leaves default\/n2-vm0 \(4 CPU, 38Gi\)/);
  });
});
