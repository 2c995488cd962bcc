/**
 * Invariants of failover detection, the storm guard and the capacity reserve on random inputs:
 * a node is failed exactly when its Lease and a second signal (Ready, or the BMC's Off read after the
 * last heartbeat) are overdue, judged here from the raw snapshot, not from the signals the detector
 * reports; the guard never lets more than maxUnhealthy failures be fenced; the reserve only grows
 * with an added empty node, and its answer comes with a placement that proves it.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { failuresTolerated } from "../../src/core/failover/capacity-reserve.ts";
import { assessNodes } from "../../src/core/failover/detect.ts";
import { stormGuard } from "../../src/core/failover/storm-guard.ts";
import type { NodeHealth } from "../../src/core/failover/types.ts";
import { buildClusterModel, type VmInfo } from "../../src/core/model/cluster.ts";
import { generateSnapshot } from "../../src/synth/index.ts";
import { NOW, type NodeInput, type VmInput, buildNode, buildVm, modelOf } from "../support/builders.ts";
import { failoverPolicy, policiesOf } from "../support/failover-policies.ts";

const SECOND = 1000;

/** A node's heartbeat: ms before NOW of the Lease renewal (null: none) and of Ready's transition (undefined: none). */
const heartbeat = fc.record({
  lease: fc.option(fc.integer({ min: -5 * SECOND, max: 90 * SECOND }), { nil: null }),
  status: fc.constantFrom("True", "False", "Unknown"),
  readyAgo: fc.option(fc.integer({ min: -5 * SECOND, max: 90 * SECOND }), { nil: undefined }),
  readyReported: fc.boolean(),
  /** What the BMC said and ms before NOW; null: never asked. */
  power: fc.option(
    fc.tuple(fc.constantFrom("On", "Off", "Unknown"), fc.integer({ min: -5 * SECOND, max: 90 * SECOND })),
    { nil: null },
  ),
});
type Heartbeat = typeof heartbeat extends fc.Arbitrary<infer T> ? T : never;

function nodeWith(name: string, beat: Heartbeat): NodeInput {
  return buildNode(name, {}, (node) => {
    if (beat.lease !== null) node.lease = { renewTime: new Date(NOW - beat.lease).toISOString() };
    const since =
      beat.readyAgo === undefined ? {} : { lastTransitionTime: new Date(NOW - beat.readyAgo).toISOString() };
    node.conditions = beat.readyReported ? [{ type: "Ready", status: beat.status, ...since }] : [];
    if (beat.power !== null)
      node.power = { state: beat.power[0], observedAt: new Date(NOW - beat.power[1]).toISOString() };
  });
}

/** The oracle, from the raw heartbeat: the Lease overdue, and Ready bad for its timeout or the BMC's Off after the Lease. */
function failedByOracle(beat: Heartbeat, leaseTimeout: number, notReadyTimeout: number): boolean {
  const leaseOverdue = beat.lease === null || beat.lease > leaseTimeout * SECOND;
  const readyKnown = beat.readyReported && beat.status !== "True" && beat.readyAgo !== undefined;
  const readyOverdue = readyKnown && (beat.readyAgo ?? 0) >= notReadyTimeout * SECOND;
  // "ago" counts back from NOW: a reading after the renewal is one fewer ms ago.
  const offSinceLease = beat.power?.[0] === "Off" && (beat.lease === null || beat.power[1] < beat.lease);
  return leaseOverdue && (readyOverdue || offSinceLease);
}

describe("failover detection properties", () => {
  it("a node is failed exactly when its Lease and a second signal are bad past their timeouts", () => {
    fc.assert(
      fc.property(
        fc.array(heartbeat, { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 60 }),
        (beats, leaseTimeout, notReadyTimeout) => {
          const nodes = beats.map((beat, i) => nodeWith(`n${i}`, beat));
          const policies = policiesOf(
            failoverPolicy("hosts", {
              detection: { leaseTimeout: `${leaseTimeout}s`, notReadyTimeout: `${notReadyTimeout}s` },
            }),
          );
          const health = assessNodes(modelOf(nodes, []), policies, NOW);
          expect(health.map((entry) => entry.node)).toEqual(nodes.map((node) => node.name));
          beats.forEach((beat, i) => {
            const state = health[i]?.state;
            expect(state === "failed").toBe(failedByOracle(beat, leaseTimeout, notReadyTimeout));
            const alive = beat.lease !== null && beat.lease <= leaseTimeout * SECOND;
            const offNow = beat.power?.[0] === "Off" && (beat.lease === null || beat.power[1] < beat.lease);
            expect(state === "healthy").toBe(alive && beat.readyReported && beat.status === "True" && !offNow);
          });
        },
      ),
      { numRuns: 300 },
    );
  });
});

const maxUnhealthy = fc.oneof(
  fc.integer({ min: 0, max: 12 }),
  fc.integer({ min: 0, max: 100 }).map((percent) => `${percent}%`),
);

/** maxUnhealthy resolved the way NHC's percentages are, in integers: floor(percent × nodes / 100). */
function limitOf(value: number | string, nodes: number): number {
  if (typeof value === "number") return value;
  const scaled = Number(value.slice(0, -1)) * nodes;
  return (scaled - (scaled % 100)) / 100;
}

interface NodeSpec {
  readonly zone: string;
  readonly state: "healthy" | "suspect" | "failed";
}

function namesOf(nodes: readonly string[]): string {
  return nodes.length > 5 ? `${nodes.slice(0, 5).join(", ")} and ${nodes.length - 5} more` : nodes.join(", ");
}

/**
 * The storm guard's hold reason past maxUnhealthy, from the specs alone: the control plane blind
 * when no node is healthy; else each zone of two or more nodes with a failure and none healthy, by
 * name; then, always, the policy's maxUnhealthy.
 */
function expectedHoldReason(specs: readonly NodeSpec[], max: number | string): string {
  const failed = specs.flatMap((spec, i) => (spec.state === "failed" ? [`n${String(i).padStart(2, "0")}`] : []));
  const healthy = specs.filter((spec) => spec.state === "healthy").length;
  const blind =
    healthy > 0
      ? []
      : [
          `no node looks healthy (${failed.length} of ${specs.length} failed, the rest suspect or not Ready): ` +
            "the control plane sees no one, so it is the one cut off",
        ];
  const zones = [...new Set(specs.map((spec) => spec.zone))].filter((zone) => zone !== "").sort();
  const dark = zones.flatMap((zone) => {
    const members = specs.filter((spec) => spec.zone === zone);
    const down = members.filter((spec) => spec.state === "failed").length;
    if (healthy === 0 || members.length < 2 || down === 0 || members.some((spec) => spec.state === "healthy"))
      return [];
    return [
      `zone ${zone} went dark as a whole (${down} of its ${members.length} nodes failed, none healthy; ` +
        `${healthy} healthy elsewhere): a partition or a zone outage, not host failures`,
    ];
  });
  const limit = limitOf(max, specs.length);
  const allowed = typeof max === "number" ? `${limit}` : `${max} = ${limit}`;
  const policy =
    `FailoverPolicy hosts: ${failed.length} of its ${specs.length} nodes failed (${namesOf(failed)}), ` +
    `more than maxUnhealthy ${allowed}`;
  return `no fencing: ${[...blind, ...dark, policy].join("; ")}`;
}

describe("storm guard properties", () => {
  it("holds whenever more nodes failed than maxUnhealthy allows, and then says so", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            zone: fc.constantFrom("", "a", "b", "c"),
            state: fc.constantFrom<NodeSpec["state"]>("healthy", "suspect", "failed"),
          }),
          { minLength: 1, maxLength: 12 },
        ),
        maxUnhealthy,
        (specs, max) => {
          const nodes = specs.map((spec, i) =>
            buildNode(`n${String(i).padStart(2, "0")}`, {}, (node) => {
              node.labels = { ...node.labels, "topology.kubernetes.io/zone": spec.zone };
            }),
          );
          const health: NodeHealth[] = specs.map((spec, i) => ({
            node: nodes[i]?.name ?? "",
            state: spec.state,
            signals: [],
            reason: spec.state,
          }));
          const failed = specs.filter((spec) => spec.state === "failed").length;
          const verdict = stormGuard(
            modelOf(nodes, []),
            health,
            policiesOf(failoverPolicy("hosts", { maxUnhealthy: max })),
          );
          if (failed > limitOf(max, nodes.length)) {
            expect(verdict.hold).toBe(true);
            expect(verdict.reason).toBe(expectedHoldReason(specs, max));
          }
          if (failed === 0) expect(verdict.hold).toBe(false);
        },
      ),
      { numRuns: 500 },
    );
  });
});

interface SmallCluster {
  readonly nodes: NodeInput[];
  readonly vms: VmInput[];
}

const smallCluster: fc.Arbitrary<SmallCluster> = fc
  .record({
    nodes: fc.array(
      fc.record({
        cores: fc.constantFrom(8, 16, 32),
        memoryGi: fc.constantFrom(32, 64, 128),
        gold: fc.boolean(),
        cordoned: fc.constantFrom(false, false, false, true),
      }),
      { minLength: 1, maxLength: 6 },
    ),
    vms: fc.array(
      fc.record({
        node: fc.nat(),
        cores: fc.constantFrom(1, 2, 4, 8),
        memoryGi: fc.constantFrom(1, 2, 4, 8, 16, 32),
        runStrategy: fc.constantFrom(undefined, "Always", "RerunOnFailure", "Manual", "Halted"),
      }),
      { maxLength: 24 },
    ),
  })
  .map(({ nodes, vms }) => ({
    nodes: nodes.map((spec, i) =>
      buildNode(`n${i}`, { cpu: String(spec.cores), memory: `${spec.memoryGi}Gi` }, (node) => {
        if (spec.gold) node.labels = { ...node.labels, pool: "gold" };
        node.unschedulable = spec.cordoned;
      }),
    ),
    vms: vms.map((spec, i) =>
      buildVm(
        `vm-${String(i).padStart(2, "0")}`,
        `n${spec.node % nodes.length}`,
        {
          cpu: String(spec.cores),
          memory: `${spec.memoryGi}Gi`,
        },
        (vm) => {
          if (spec.runStrategy !== undefined) vm.runStrategy = spec.runStrategy;
        },
      ),
    ),
  }));

const reservePolicies = fc.constantFrom(
  policiesOf(failoverPolicy("hosts")),
  policiesOf(failoverPolicy("hosts", { nodeSelector: { matchLabels: { pool: "gold" } } })),
  policiesOf(failoverPolicy("hosts", { admissionControl: { hostFailuresToTolerate: 3 } })),
);

describe("capacity reserve properties", () => {
  it("an empty healthy node added after the others never lowers the failures tolerated", () => {
    fc.assert(
      fc.property(
        smallCluster,
        reservePolicies,
        fc.record({ cores: fc.constantFrom(4, 16, 64), memoryGi: fc.constantFrom(8, 64, 256), gold: fc.boolean() }),
        ({ nodes, vms }, policies, spare) => {
          const before = failuresTolerated(modelOf(nodes, vms), policies);
          const extra = buildNode("zz-spare", { cpu: String(spare.cores), memory: `${spare.memoryGi}Gi` }, (node) => {
            if (spare.gold) node.labels = { ...node.labels, pool: "gold" };
          });
          const after = failuresTolerated(modelOf([...nodes, extra], vms), policies);
          expect(after.tolerated).toBeGreaterThanOrEqual(before.tolerated);
        },
      ),
      { numRuns: 400 },
    );
  });

  // Removing a VM can lower the answer (first fit's anomaly: more room on one node sends a big VM
  // there and strands a small one), so what is checked is that the answer is never a false promise.
  it("the answer has a witness: every displaced protected VM placed on a survivor within its room", () => {
    fc.assert(
      fc.property(smallCluster, reservePolicies, ({ nodes, vms }, policies) => {
        const model = modelOf(nodes, vms);
        const { tolerated, witness } = failuresTolerated(model, policies);
        if (witness.restarts.size === 0 && witness.lost.length === model.nodes.length) return;
        expect(witness.lost).toHaveLength(tolerated);
        const lost = new Set(witness.lost);
        const gold = policies.failover[0]?.spec.nodeSelector.matchLabels?.pool === "gold";
        const used = new Map<string, { cpu: number; memory: number; pods: number }>();
        const charge = (node: string, vm: VmInfo): void => {
          const load = used.get(node) ?? { cpu: 0, memory: 0, pods: 0 };
          used.set(node, {
            cpu: load.cpu + (vm.requests.cpu ?? 0),
            memory: load.memory + (vm.requests.memory ?? 0),
            pods: load.pods + 1,
          });
        };
        for (const vm of model.vms) {
          const home = model.nodes[vm.node];
          if (home === undefined) continue;
          const displaced =
            lost.has(home.name) &&
            (!gold || home.labels.pool === "gold") &&
            vm.runStrategy !== "Manual" &&
            vm.runStrategy !== "Halted";
          const target = witness.restarts.get(vm.key);
          expect(target !== undefined).toBe(displaced);
          if (!lost.has(home.name)) charge(home.name, vm);
          if (target !== undefined) charge(target, vm);
        }
        // Generated clusters may be overcommitted already; a node that takes a restart must not end up so.
        for (const target of new Set(witness.restarts.values())) {
          const node = model.nodes[model.nodeIndex.get(target) ?? -1];
          const load = used.get(target);
          expect(lost.has(target)).toBe(false);
          expect(node?.unschedulable).toBe(false);
          expect(load?.cpu).toBeLessThanOrEqual(node?.allocatable.cpu ?? 0);
          expect(load?.memory).toBeLessThanOrEqual(node?.allocatable.memory ?? 0);
        }
      }),
      { numRuns: 400 },
    );
  });

  // Its speed at this size is measured in bench/, not asserted here.
  it("tolerates host failures on a generated cluster of 1,000 nodes and 30,000 VMs", () => {
    const model = buildClusterModel(generateSnapshot({ nodes: 1000, vms: 30_000, seed: 7 }));
    const reserve = failuresTolerated(model, policiesOf(failoverPolicy("hosts")));
    expect(reserve.tolerated).toBeGreaterThan(0);
    expect(reserve.reason).toMatch(/^tolerates \d+ host failure\(s\), enough/);
  });
});
