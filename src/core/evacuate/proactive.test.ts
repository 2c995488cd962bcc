import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { type MutableNode, type NodeInput, NOW, buildNode, modelOf } from "../../../test/support/builders.ts";
import { policyDocumentSchemas } from "../policy/document.ts";
import type { maintenancePolicySpec } from "../policy/kinds/maintenance-policy.ts";
import { EMPTY_POLICY_SET, type Policy, type PolicySet } from "../policy/policy-set.ts";
import { type ProactiveDecision, type ProactiveRecord, proactiveEvacuations } from "./proactive.ts";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

type ProactiveInput = z.input<typeof maintenancePolicySpec>["proactive"];

function policiesWith(
  proactive: ProactiveInput,
  spec: Omit<z.input<typeof maintenancePolicySpec>, "proactive"> = {},
): PolicySet {
  const policy: Policy<"MaintenancePolicy"> = policyDocumentSchemas.MaintenancePolicy.parse({
    apiVersion: "kubedrs.io/v1alpha1",
    kind: "MaintenancePolicy",
    metadata: { name: "hardware" },
    spec: { ...spec, proactive },
  });
  return { ...EMPTY_POLICY_SET, maintenance: [policy] };
}

/** KernelDeadlock=True for 3m, at most once per node per hour and once an hour cluster-wide. */
const KERNEL_DEADLOCK: ProactiveInput = {
  enabled: true,
  conditions: [{ type: "KernelDeadlock", status: "True", for: "3m" }],
  minInterval: "1h",
  maxPerHour: 1,
};
const standard = policiesWith(KERNEL_DEADLOCK);

/** Override hook: the node reports `type=status` since `ago` ms before NOW (no lastTransitionTime when ago is undefined). */
function reporting(type: string, status: "True" | "False" | "Unknown", ago?: number): (node: MutableNode) => void {
  return (node) => {
    node.conditions = [
      { type: "Ready", status: "True" },
      {
        type,
        status,
        ...(ago === undefined ? {} : { lastTransitionTime: new Date(NOW - ago).toISOString() }),
      },
    ];
  };
}

const deadlocked = (ago = 5 * MINUTE): ((node: MutableNode) => void) => reporting("KernelDeadlock", "True", ago);

/** n1 as given, n2 and n3 healthy. */
function clusterWith(n1: NodeInput, ...others: NodeInput[]): NodeInput[] {
  return [n1, ...(others.length > 0 ? others : [buildNode("n2"), buildNode("n3")])];
}

function decide(nodes: NodeInput[], policies: PolicySet, history: ProactiveRecord[] = []): ProactiveDecision {
  return proactiveEvacuations(modelOf(nodes, []), policies, NOW, history);
}

interface Case {
  readonly name: string;
  readonly nodes: NodeInput[];
  readonly policies?: PolicySet;
  readonly history?: ProactiveRecord[];
  readonly start: readonly string[];
  /** [node, pattern for the reason] */
  readonly held: readonly (readonly [string, RegExp])[];
}

describe("proactiveEvacuations: when a node's condition starts an evacuation", () => {
  it.each<Case>([
    {
      name: "a listed condition held exactly `for` starts one",
      nodes: clusterWith(buildNode("n1", {}, deadlocked(3 * MINUTE))),
      start: ["n1"],
      held: [],
    },
    {
      name: "held one second less than `for`, nothing yet",
      nodes: clusterWith(buildNode("n1", {}, deadlocked(3 * MINUTE - 1000))),
      start: [],
      held: [],
    },
    {
      name: "the condition with another status (False, not True) does not trigger",
      nodes: clusterWith(buildNode("n1", {}, reporting("KernelDeadlock", "False", HOUR))),
      start: [],
      held: [],
    },
    {
      name: "a policy asking for Unknown triggers on Unknown",
      nodes: clusterWith(buildNode("n1", {}, reporting("KernelDeadlock", "Unknown", HOUR))),
      policies: policiesWith({ ...KERNEL_DEADLOCK, conditions: [{ type: "KernelDeadlock", status: "Unknown" }] }),
      start: ["n1"],
      held: [],
    },
    {
      name: "a condition the policy does not list does not trigger",
      nodes: clusterWith(buildNode("n1", {}, reporting("FrequentDockerRestart", "True", HOUR))),
      start: [],
      held: [],
    },
    {
      name: "the listed condition absent from the node does not trigger",
      nodes: clusterWith(buildNode("n1")),
      start: [],
      held: [],
    },
    {
      name: "a condition without lastTransitionTime has no known age and does not trigger",
      nodes: clusterWith(buildNode("n1", {}, reporting("KernelDeadlock", "True"))),
      start: [],
      held: [],
    },
    {
      name: "the second listed condition triggers when the first is absent",
      nodes: clusterWith(buildNode("n1", {}, reporting("ReadonlyFilesystem", "True", 2 * MINUTE))),
      policies: policiesWith({
        ...KERNEL_DEADLOCK,
        conditions: [
          { type: "KernelDeadlock", status: "True", for: "3m" },
          { type: "ReadonlyFilesystem", status: "True", for: "1m" },
        ],
      }),
      start: ["n1"],
      held: [],
    },
    {
      name: "proactive HA disabled in the policy",
      nodes: clusterWith(buildNode("n1", {}, deadlocked())),
      policies: policiesWith({ ...KERNEL_DEADLOCK, enabled: false }),
      start: [],
      held: [],
    },
    {
      name: "no MaintenancePolicy at all",
      nodes: clusterWith(buildNode("n1", {}, deadlocked())),
      policies: EMPTY_POLICY_SET,
      start: [],
      held: [],
    },
    {
      name: "the policy's nodeSelector does not match the node",
      nodes: clusterWith(buildNode("n1", {}, deadlocked())),
      policies: policiesWith(KERNEL_DEADLOCK, { nodeSelector: { matchLabels: { pool: "gpu" } } }),
      start: [],
      held: [],
    },
    {
      name: "a node already in maintenance is skipped, not held",
      nodes: clusterWith(
        buildNode("n1", {}, (node) => {
          deadlocked()(node);
          node.annotations = { "kubedrs.io/maintenance": "firmware" };
        }),
      ),
      start: [],
      held: [],
    },
  ])("$name", ({ nodes, policies, history, start, held }) => {
    const decision = decide(nodes, policies ?? standard, history);
    expect(decision.start.map((entry) => entry.node)).toEqual(start);
    expect(decision.held.map((entry) => entry.node)).toEqual(held.map(([node]) => node));
  });

  it("names the condition and how long it has held", () => {
    const decision = decide(clusterWith(buildNode("n1", {}, deadlocked(3 * MINUTE))), standard);
    expect(decision).toEqual({ start: [{ node: "n1", reason: "proactive: KernelDeadlock=True for 3m" }], held: [] });
  });
});

describe("proactiveEvacuations: the rate limits and refusals that hold a triggered node", () => {
  it.each<Case>([
    {
      name: "evacuated proactively 30m ago: held by minInterval (1h)",
      nodes: clusterWith(buildNode("n1", {}, deadlocked())),
      history: [{ node: "n1", at: NOW - 30 * MINUTE }],
      start: [],
      held: [["n1", /^KernelDeadlock=True for 5m, but evacuated proactively 30m ago; at most once per 1h$/]],
    },
    {
      name: "evacuated proactively exactly minInterval ago: free again",
      nodes: clusterWith(buildNode("n1", {}, deadlocked())),
      history: [{ node: "n1", at: NOW - HOUR }],
      start: ["n1"],
      held: [],
    },
    {
      name: "the latest of a node's records counts for minInterval",
      nodes: clusterWith(buildNode("n1", {}, deadlocked())),
      policies: policiesWith({ ...KERNEL_DEADLOCK, minInterval: "6h", maxPerHour: 5 }),
      history: [
        { node: "n1", at: NOW - 2 * HOUR },
        { node: "n1", at: NOW - 10 * HOUR },
      ],
      start: [],
      held: [["n1", /but evacuated proactively 2h ago; at most once per 6h$/]],
    },
    {
      name: "another node's record does not count for this node's minInterval",
      nodes: clusterWith(buildNode("n1", {}, deadlocked())),
      policies: policiesWith({ ...KERNEL_DEADLOCK, maxPerHour: 2 }),
      history: [{ node: "n2", at: NOW - 10 * MINUTE }],
      start: ["n1"],
      held: [],
    },
    {
      name: "another node evacuated 10m ago fills maxPerHour (1)",
      nodes: clusterWith(buildNode("n1", {}, deadlocked())),
      history: [{ node: "n2", at: NOW - 10 * MINUTE }],
      start: [],
      held: [["n1", /^KernelDeadlock=True for 5m, but 1 proactive evacuation\(s\) in the last hour; at most 1$/]],
    },
    {
      name: "a record older than an hour does not count for maxPerHour",
      nodes: clusterWith(buildNode("n1", {}, deadlocked())),
      history: [{ node: "n2", at: NOW - HOUR }],
      start: ["n1"],
      held: [],
    },
    {
      name: "the last node that can run VMs is held with the refusal",
      nodes: clusterWith(
        buildNode("n1", {}, deadlocked()),
        buildNode("n2", {}, (node) => {
          node.unschedulable = true;
        }),
        buildNode("n3", {}, (node) => {
          node.annotations = { "kubedrs.io/maintenance": "bios" };
        }),
      ),
      start: [],
      held: [["n1", /^KernelDeadlock=True for 5m, but node n1 is the last node that can run VMs/]],
    },
  ])("$name", ({ nodes, policies, history, start, held }) => {
    const decision = decide(nodes, policies ?? standard, history);
    expect(decision.start.map((entry) => entry.node)).toEqual(start);
    expect(decision.held.map((entry) => entry.node)).toEqual(held.map(([node]) => node));
    held.forEach(([, pattern], index) => expect(decision.held[index]?.reason).toMatch(pattern));
  });

  it.each<{ name: string; history: ProactiveRecord[]; start: string[]; held: string[]; count: number }>([
    { name: "without history, the first two by name start", history: [], start: ["n1", "n2"], held: ["n3"], count: 2 },
    {
      name: "with one in the last hour, only the first by name starts",
      history: [{ node: "n9", at: NOW - 20 * MINUTE }],
      start: ["n1"],
      held: ["n2", "n3"],
      count: 2,
    },
    {
      name: "with two in the last hour, none starts",
      history: [
        { node: "n9", at: NOW - 20 * MINUTE },
        { node: "n8", at: NOW - 40 * MINUTE },
      ],
      start: [],
      held: ["n1", "n2", "n3"],
      count: 2,
    },
  ])("maxPerHour (2) counts history and this call's starts, in node-name order: $name", ({ history, ...want }) => {
    const policies = policiesWith({ ...KERNEL_DEADLOCK, maxPerHour: 2 });
    // Listed out of order, with healthy nodes left to take the VMs.
    const nodes = ["n3", "n1", "n2"].map((name) => buildNode(name, {}, deadlocked()));
    const decision = decide([...nodes, buildNode("n4"), buildNode("n5")], policies, history);
    expect(decision.start.map((entry) => entry.node)).toEqual(want.start);
    expect(decision.held.map((entry) => entry.node)).toEqual(want.held);
    for (const entry of decision.held)
      expect(entry.reason).toMatch(
        new RegExp(`${want.count} proactive evacuation\\(s\\) in the last hour; at most 2$`),
      );
  });

  it("never starts every node that can run VMs at once: the last one is held", () => {
    const policies = policiesWith({ ...KERNEL_DEADLOCK, maxPerHour: 5 });
    const decision = decide([buildNode("n1", {}, deadlocked()), buildNode("n2", {}, deadlocked())], policies);
    expect(decision.start.map((entry) => entry.node)).toEqual(["n1"]);
    expect(decision.held).toEqual([
      { node: "n2", reason: expect.stringMatching(/but node n2 is the last node that can run VMs/) as unknown },
    ]);
  });
});

describe("proactiveEvacuations: properties", () => {
  const nodeCase = fc.record({
    /** How long the node has reported KernelDeadlock=True, in minutes; undefined: healthy. */
    heldMinutes: fc.option(fc.integer({ min: 0, max: 30 }), { nil: undefined }),
    cordoned: fc.boolean(),
  });
  const record = fc.record({ node: fc.integer({ min: 0, max: 7 }), agoMinutes: fc.integer({ min: 0, max: 300 }) });

  it("never exceeds maxPerHour with the last hour's history, never repeats a node within minInterval", () => {
    fc.assert(
      fc.property(
        fc.array(nodeCase, { minLength: 1, maxLength: 8 }),
        fc.array(record, { maxLength: 6 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        (cases, records, maxPerHour, intervalHours) => {
          const nodes = cases.map((spec, index) =>
            buildNode(`n${index}`, {}, (node) => {
              if (spec.heldMinutes !== undefined) deadlocked(spec.heldMinutes * MINUTE)(node);
              node.unschedulable = spec.cordoned;
            }),
          );
          const history = records.map((entry) => ({ node: `n${entry.node}`, at: NOW - entry.agoMinutes * MINUTE }));
          const policies = policiesWith({ ...KERNEL_DEADLOCK, maxPerHour, minInterval: intervalHours * 3600 });
          const decision = decide(nodes, policies, history);
          const lastHour = history.filter((entry) => NOW - entry.at < HOUR).length;
          expect(decision.start.length + lastHour).toBeLessThanOrEqual(Math.max(maxPerHour, lastHour));
          if (lastHour >= maxPerHour) expect(decision.start).toEqual([]);
          for (const { node } of decision.start) {
            const recent = history.filter((entry) => entry.node === node && NOW - entry.at < intervalHours * HOUR);
            expect(recent).toEqual([]);
          }
          expect(new Set(decision.start.map((entry) => entry.node)).size).toBe(decision.start.length);
          const started = new Set(decision.start.map((entry) => entry.node));
          const left = cases.filter((spec, index) => !spec.cordoned && !started.has(`n${index}`));
          if (started.size > 0) expect(left.length).toBeGreaterThan(0);
        },
      ),
    );
  });
});
