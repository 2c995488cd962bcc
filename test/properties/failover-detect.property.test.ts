/**
 * Invariants of failover detection, the storm guard and the capacity reserve on random inputs:
 * a node is failed exactly when both signals are overdue (judged here from the raw snapshot, not
 * from the signals the detector reports), the guard never lets more than maxUnhealthy failures be
 * fenced, and the reserve only grows with an added empty node.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { failuresTolerated } from "../../src/core/failover/capacity-reserve.ts";
import { assessNodes } from "../../src/core/failover/detect.ts";
import { stormGuard } from "../../src/core/failover/storm-guard.ts";
import type { NodeHealth } from "../../src/core/failover/types.ts";
import { buildClusterModel } from "../../src/core/model/cluster.ts";
import { policyDocumentSchemas } from "../../src/core/policy/document.ts";
import { EMPTY_POLICY_SET, type PolicySet } from "../../src/core/policy/policy-set.ts";
import { generateSnapshot } from "../../src/synth/index.ts";
import { NOW, type NodeInput, type VmInput, buildNode, buildVm, modelOf } from "../support/builders.ts";

const SECOND = 1000;

function policiesWith(spec: Record<string, unknown> = {}): PolicySet {
  const policy = policyDocumentSchemas.FailoverPolicy.parse({
    apiVersion: "kubedrs.io/v1alpha1",
    kind: "FailoverPolicy",
    metadata: { name: "hosts" },
    spec: { fencing: { strategies: [{ type: "FenceAgents", template: "ipmi" }] }, ...spec },
  });
  return { ...EMPTY_POLICY_SET, failover: [policy] };
}

/** A node's heartbeat: ms before NOW of the Lease renewal (null: none) and of Ready's transition (undefined: none). */
const heartbeat = fc.record({
  lease: fc.option(fc.integer({ min: -5 * SECOND, max: 90 * SECOND }), { nil: null }),
  status: fc.constantFrom("True", "False", "Unknown"),
  readyAgo: fc.option(fc.integer({ min: -5 * SECOND, max: 90 * SECOND }), { nil: undefined }),
  readyReported: fc.boolean(),
});
type Heartbeat = typeof heartbeat extends fc.Arbitrary<infer T> ? T : never;

function nodeWith(name: string, beat: Heartbeat): NodeInput {
  return buildNode(name, {}, (node) => {
    if (beat.lease !== null) node.lease = { renewTime: new Date(NOW - beat.lease).toISOString() };
    const since =
      beat.readyAgo === undefined ? {} : { lastTransitionTime: new Date(NOW - beat.readyAgo).toISOString() };
    node.conditions = beat.readyReported ? [{ type: "Ready", status: beat.status, ...since }] : [];
  });
}

/** The oracle, from the raw heartbeat: both signals bad for at least their timeouts. */
function bothOverdue(beat: Heartbeat, leaseTimeout: number, notReadyTimeout: number): boolean {
  const leaseOverdue = beat.lease === null || beat.lease > leaseTimeout * SECOND;
  const readyKnown = beat.readyReported && beat.status !== "True" && beat.readyAgo !== undefined;
  return leaseOverdue && readyKnown && (beat.readyAgo ?? 0) >= notReadyTimeout * SECOND;
}

describe("failover detection properties", () => {
  it("a node is failed exactly when both signals are bad past their timeouts", () => {
    fc.assert(
      fc.property(
        fc.array(heartbeat, { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 60 }),
        (beats, leaseTimeout, notReadyTimeout) => {
          const nodes = beats.map((beat, i) => nodeWith(`n${i}`, beat));
          const policies = policiesWith({
            detection: { leaseTimeout: `${leaseTimeout}s`, notReadyTimeout: `${notReadyTimeout}s` },
          });
          const health = assessNodes(modelOf(nodes, []), policies, NOW);
          expect(health.map((entry) => entry.node)).toEqual(nodes.map((node) => node.name));
          beats.forEach((beat, i) => {
            const state = health[i]?.state;
            expect(state === "failed").toBe(bothOverdue(beat, leaseTimeout, notReadyTimeout));
            const alive = beat.lease !== null && beat.lease <= leaseTimeout * SECOND;
            expect(state === "healthy").toBe(alive && beat.readyReported && beat.status === "True");
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

describe("storm guard properties", () => {
  it("holds whenever more nodes failed than maxUnhealthy allows, and then says so", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            zone: fc.constantFrom("", "a", "b", "c"),
            state: fc.constantFrom("healthy", "suspect", "failed"),
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
          const verdict = stormGuard(modelOf(nodes, []), health, policiesWith({ maxUnhealthy: max }));
          if (failed > limitOf(max, nodes.length)) {
            expect(verdict.hold).toBe(true);
            expect(verdict.reason).toMatch(/no fencing: .*(more than maxUnhealthy|no node looks healthy|went dark)/);
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
  policiesWith(),
  policiesWith({ nodeSelector: { matchLabels: { pool: "gold" } } }),
  policiesWith({ admissionControl: { hostFailuresToTolerate: 3 } }),
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

  it("removing VMs that are not protected (Manual, Halted, or on no policy's nodes) never lowers it", () => {
    fc.assert(
      fc.property(smallCluster, reservePolicies, fc.nat(), ({ nodes, vms }, policies, pick) => {
        const model = modelOf(nodes, vms);
        const gold = policies.failover[0]?.spec.nodeSelector.matchLabels?.pool === "gold";
        const isProtected = (vm: VmInput): boolean => {
          const node = model.nodes[model.nodeIndex.get(vm.node) ?? -1];
          const selected = !gold || node?.labels.pool === "gold";
          return selected && vm.runStrategy !== "Manual" && vm.runStrategy !== "Halted";
        };
        const unprotected = vms.filter((vm) => !isProtected(vm));
        const dropped = unprotected[pick % Math.max(1, unprotected.length)];
        const before = failuresTolerated(model, policies);
        const after = failuresTolerated(
          modelOf(
            nodes,
            vms.filter((vm) => vm !== dropped),
          ),
          policies,
        );
        expect(after.tolerated).toBeGreaterThanOrEqual(before.tolerated);
      }),
      { numRuns: 400 },
    );
  });

  it("answers for 1,000 nodes and 30,000 VMs in under 2 s", () => {
    const model = buildClusterModel(generateSnapshot({ nodes: 1000, vms: 30_000, seed: 7 }));
    const started = performance.now();
    const reserve = failuresTolerated(model, policiesWith());
    const elapsed = performance.now() - started;
    expect(reserve.tolerated).toBeGreaterThan(0);
    expect(reserve.reason).toMatch(/^tolerates \d+ host failure\(s\), enough/);
    expect(elapsed).toBeLessThan(2_000);
  });
});
