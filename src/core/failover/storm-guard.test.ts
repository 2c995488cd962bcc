import { describe, expect, it } from "vitest";
import type { PolicySet } from "../policy/policy-set.ts";
import { type NodeInput, buildNode, modelOf } from "../../../test/support/builders.ts";
import { failoverPolicy, policiesOf } from "../../../test/support/failover-policies.ts";
import { stormGuard } from "./storm-guard.ts";
import type { NodeHealth, NodeHealthState } from "./types.ts";

/** A node in a zone ("" for none), with extra labels; Ready=True unless `ready` says otherwise. */
function host(name: string, zone: string, labels: Record<string, string> = {}, ready = true): NodeInput {
  return buildNode(name, {}, (node) => {
    node.labels = { ...node.labels, ...labels, "topology.kubernetes.io/zone": zone };
    if (zone === "") delete node.labels["topology.kubernetes.io/zone"];
    node.conditions = [{ type: "Ready", status: ready ? "True" : "Unknown" }];
  });
}

/** Health as detection would report it; only `state` matters to the guard. */
function health(states: Record<string, NodeHealthState>): NodeHealth[] {
  return Object.entries(states).map(([node, state]) => ({ node, state, signals: [], reason: state }));
}

/** Five nodes over three zones: a1 a2 | b1 b2 | c1. */
const FIVE = [host("a1", "a"), host("a2", "a"), host("b1", "b"), host("b2", "b"), host("c1", "c")];
const FIVE_HEALTHY: Record<string, NodeHealthState> = {
  a1: "healthy",
  a2: "healthy",
  b1: "healthy",
  b2: "healthy",
  c1: "healthy",
};

interface Case {
  readonly name: string;
  readonly nodes?: NodeInput[];
  readonly states: Record<string, NodeHealthState>;
  readonly policies?: PolicySet;
  readonly hold: boolean;
  readonly reason: RegExp;
}

const withMax = (maxUnhealthy: number | string): PolicySet => policiesOf(failoverPolicy("hosts", { maxUnhealthy }));

describe("stormGuard: when nothing may be fenced", () => {
  it.each<Case>([
    {
      name: "nothing failed: nothing to hold",
      states: { ...FIVE_HEALTHY, a1: "suspect" },
      hold: false,
      reason: /^no node has failed$/,
    },
    {
      name: "maxUnhealthy 40% of 5 nodes is 2: two failures in different zones are fenced",
      states: { ...FIVE_HEALTHY, a1: "failed", b1: "failed" },
      hold: false,
      reason: /^2 failed \(a1, b1\), within every policy's maxUnhealthy and no zone dark$/,
    },
    {
      name: "maxUnhealthy 40% of 5 nodes is 2: a third failure holds everything",
      states: { ...FIVE_HEALTHY, a1: "failed", b1: "failed", c1: "failed" },
      hold: true,
      reason: /FailoverPolicy hosts: 3 of its 5 nodes failed \(a1, b1, c1\), more than maxUnhealthy 40% = 2/,
    },
    {
      name: "40% of 3 nodes rounds down to 1",
      nodes: [host("a1", "a"), host("b1", "b"), host("c1", "c")],
      states: { a1: "failed", b1: "failed", c1: "healthy" },
      hold: true,
      reason: /2 of its 3 nodes failed \(a1, b1\), more than maxUnhealthy 40% = 1/,
    },
    {
      name: "an integer maxUnhealthy is a count",
      states: { ...FIVE_HEALTHY, a1: "failed", b1: "failed" },
      policies: withMax(1),
      hold: true,
      reason: /2 of its 5 nodes failed \(a1, b1\), more than maxUnhealthy 1$/,
    },
    {
      name: "maxUnhealthy 0 never fences",
      states: { ...FIVE_HEALTHY, c1: "failed" },
      policies: withMax(0),
      hold: true,
      reason: /1 of its 5 nodes failed \(c1\), more than maxUnhealthy 0/,
    },
    {
      name: "a zone of two nodes failed at once while the others are healthy looks like a partition",
      states: { ...FIVE_HEALTHY, a1: "failed", a2: "failed" },
      policies: withMax("100%"),
      hold: true,
      reason:
        /^no fencing: zone a went dark as a whole \(2 of its 2 nodes failed, none healthy; 3 healthy elsewhere\): a partition or a zone outage, not host failures$/,
    },
    {
      name: "a dark zone with one node failed and the other suspect is still dark",
      states: { ...FIVE_HEALTHY, b1: "failed", b2: "suspect" },
      policies: withMax("100%"),
      hold: true,
      reason: /zone b went dark as a whole \(1 of its 2 nodes failed, none healthy; 3 healthy elsewhere\)/,
    },
    {
      name: "one failed node beside a healthy one in its zone is a host failure",
      states: { ...FIVE_HEALTHY, b1: "failed" },
      policies: withMax("100%"),
      hold: false,
      reason: /^1 failed \(b1\)/,
    },
    {
      name: "a zone of one node is a host, not a zone outage",
      states: { ...FIVE_HEALTHY, c1: "failed" },
      hold: false,
      reason: /^1 failed \(c1\)/,
    },
    {
      name: "nodes without a zone label do not form a zone",
      nodes: [host("x1", ""), host("x2", ""), host("y1", "y")],
      states: { x1: "failed", x2: "failed", y1: "healthy" },
      policies: withMax("100%"),
      hold: false,
      reason: /^2 failed \(x1, x2\)/,
    },
    {
      name: "every node failed: the control plane is the one cut off",
      states: { a1: "failed", a2: "failed", b1: "failed", b2: "failed", c1: "failed" },
      policies: withMax("100%"),
      hold: true,
      reason:
        /^no fencing: no node looks healthy \(5 of 5 failed, the rest suspect or not Ready\): the control plane sees no one, so it is the one cut off$/,
    },
    {
      name: "no node healthy, some only suspect: still blind",
      states: { a1: "failed", a2: "suspect", b1: "suspect", b2: "suspect", c1: "suspect" },
      policies: withMax("100%"),
      hold: true,
      reason: /no node looks healthy \(1 of 5 failed/,
    },
    {
      name: "a lone node that failed is the whole cluster",
      nodes: [host("solo", "a")],
      states: { solo: "failed" },
      policies: withMax("100%"),
      hold: true,
      reason: /no node looks healthy \(1 of 1 failed/,
    },
    {
      name: "every reason that applies is given, with its counts",
      states: { a1: "failed", a2: "failed", b1: "failed", b2: "healthy", c1: "healthy" },
      hold: true,
      reason: /zone a went dark as a whole .*; FailoverPolicy hosts: 3 of its 5 nodes failed \(a1, a2, b1\)/,
    },
  ])("$name", ({ nodes = FIVE, states, policies = policiesOf(failoverPolicy("hosts")), hold, reason }) => {
    const verdict = stormGuard(modelOf(nodes, []), health(states), policies);
    expect(verdict.hold).toBe(hold);
    expect(verdict.reason).toMatch(reason);
  });

  it("a Ready node no policy protects keeps the control plane from looking blind, a NotReady one does not", () => {
    const gold = policiesOf(
      failoverPolicy("gold", { nodeSelector: { matchLabels: { pool: "gold" } }, maxUnhealthy: "100%" }),
    );
    const states: Record<string, NodeHealthState> = { g1: "failed", g2: "failed" };
    const protectedPair = [host("g1", "a", { pool: "gold" }), host("g2", "b", { pool: "gold" })];
    const seen = stormGuard(modelOf([...protectedPair, host("u1", "c")], []), health(states), gold);
    expect(seen).toEqual({
      hold: false,
      reason: "2 failed (g1, g2), within every policy's maxUnhealthy and no zone dark",
    });
    const unseen = stormGuard(modelOf([...protectedPair, host("u1", "c", {}, false)], []), health(states), gold);
    expect(unseen.hold).toBe(true);
    expect(unseen.reason).toMatch(/no node looks healthy \(2 of 3 failed/);
  });

  it("counts maxUnhealthy per policy over the nodes it protects, and one policy over its limit holds them all", () => {
    const gold = failoverPolicy("gold", { nodeSelector: { matchLabels: { pool: "gold" } }, maxUnhealthy: 1 });
    const rest = failoverPolicy("rest", { maxUnhealthy: "100%" });
    const nodes = [
      host("g1", "a", { pool: "gold" }),
      host("g2", "b", { pool: "gold" }),
      host("g3", "c", { pool: "gold" }),
      host("r1", "a"),
      host("r2", "b"),
      host("r3", "c"),
    ];
    const twoGold = { g1: "failed", g2: "failed", g3: "healthy", r1: "healthy", r2: "healthy", r3: "healthy" } as const;
    const verdict = stormGuard(modelOf(nodes, []), health(twoGold), policiesOf(rest, gold));
    expect(verdict.hold).toBe(true);
    expect(verdict.reason).toMatch(
      /^no fencing: FailoverPolicy gold: 2 of its 3 nodes failed \(g1, g2\), more than maxUnhealthy 1$/,
    );
    const oneGoldTwoRest = { ...twoGold, g2: "healthy", r2: "failed", r3: "failed" } as const;
    expect(stormGuard(modelOf(nodes, []), health(oneGoldTwoRest), policiesOf(rest, gold)).hold).toBe(false);
  });

  it("names at most five failed nodes", () => {
    const nodes = ["n1", "n2", "n3", "n4", "n5", "n6", "n7", "n8"].map((name) => host(name, name));
    const states = Object.fromEntries(nodes.map((node, i) => [node.name, i < 7 ? "failed" : "healthy"] as const));
    const verdict = stormGuard(modelOf(nodes, []), health(states), withMax(2));
    expect(verdict.reason).toMatch(
      /7 of its 8 nodes failed \(n1, n2, n3, n4, n5 and 2 more\), more than maxUnhealthy 2$/,
    );
  });
});
