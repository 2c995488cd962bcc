/**
 * HA admission control on the balancer (FailoverPolicy admissionControl.enforce), on random
 * clusters: replaying the plan, no balance move leaves the cluster absorbing fewer host failures
 * than the policy wants, or fewer than just before the move when it was already short; and the
 * guard changes nothing when no policy enforces it.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { plan } from "../../src/core/balance/plan.ts";
import { failuresTolerated } from "../../src/core/failover/capacity-reserve.ts";
import { buildClusterModel, type ClusterModel, type VmInfo } from "../../src/core/model/cluster.ts";
import { createRng } from "../../src/core/numeric/rng.ts";
import type { PolicySet } from "../../src/core/policy/policy-set.ts";
import { clusterCase } from "../support/arbitraries.ts";
import { NOW, snapshotOf } from "../support/builders.ts";
import { failoverPolicy } from "../support/failover-policies.ts";
import { limitsCase, policiesWith } from "../support/plan-checks.ts";

function withFailover(policies: PolicySet, tolerate: number, enforce: boolean): PolicySet {
  return {
    ...policies,
    failover: [failoverPolicy("ha", { admissionControl: { hostFailuresToTolerate: tolerate, enforce } })],
  };
}

/** Tolerated failures as each move of the plan is replayed, with the move's kind; the first entry is before any. */
function replay(model: ClusterModel, policies: PolicySet, moves: ReturnType<typeof plan>["moves"]) {
  const where = new Map<number, number>();
  const nodeOf = (vm: VmInfo): number => where.get(vm.index) ?? vm.node;
  const steps = [{ kind: "start", tolerated: failuresTolerated(model, policies, nodeOf).tolerated }];
  for (const move of moves) {
    where.set(model.vmIndex.get(move.vm) ?? -1, model.nodeIndex.get(move.to) ?? -1);
    steps.push({ kind: move.kind, tolerated: failuresTolerated(model, policies, nodeOf).tolerated });
  }
  return steps;
}

describe("the failover reserve on balancing", () => {
  it("no balance move takes the reserve below what the policy wants, or lower when already short", () => {
    fc.assert(
      fc.property(clusterCase, limitsCase, fc.integer({ min: 1, max: 3 }), (cluster, limits, tolerate) => {
        const model = buildClusterModel(snapshotOf(cluster.nodes, cluster.vms));
        const policies = withFailover(policiesWith(limits), tolerate, true);
        const result = plan({ model, policies, now: NOW, rng: createRng(1) });
        const steps = replay(model, policies, result.moves);
        steps.forEach((step, i) => {
          const before = steps[i - 1]?.tolerated ?? step.tolerated;
          if (step.kind === "balance") expect(step.tolerated).toBeGreaterThanOrEqual(Math.min(tolerate, before));
        });
      }),
      { numRuns: 120 },
    );
  });

  it("plans exactly as without a FailoverPolicy when enforce is false", () => {
    fc.assert(
      fc.property(clusterCase, limitsCase, (cluster, limits) => {
        const model = buildClusterModel(snapshotOf(cluster.nodes, cluster.vms));
        const bare = plan({ model, policies: policiesWith(limits), now: NOW, rng: createRng(1) });
        const watched = plan({
          model,
          policies: withFailover(policiesWith(limits), 1, false),
          now: NOW,
          rng: createRng(1),
        });
        expect(watched.moves.map((move) => [move.vm, move.to])).toEqual(bare.moves.map((move) => [move.vm, move.to]));
      }),
      { numRuns: 60 },
    );
  });
});
