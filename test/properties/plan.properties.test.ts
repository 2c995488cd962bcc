/** Invariants of the balancing planner on random clusters (the checks are in test/support/plan-checks.ts). */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { plan } from "../../src/core/balance/plan.ts";
import { buildClusterModel } from "../../src/core/model/cluster.ts";
import { createRng } from "../../src/core/numeric/rng.ts";
import { clusterCase } from "../support/arbitraries.ts";
import { NOW, snapshotOf } from "../support/builders.ts";
import {
  firstHardRuleBroken,
  firstOvercommit,
  limitBroken,
  limitsCase,
  movedTheUnmovable,
  policiesWith,
} from "../support/plan-checks.ts";

describe("the balancing planner", () => {
  const runs = { numRuns: 120 };

  it("never breaks a hard rule, never overcommits at any step, keeps every limit and moves only movable VMs", () => {
    fc.assert(
      fc.property(clusterCase, limitsCase, fc.integer({ min: 0, max: 1000 }), (cluster, limits, seed) => {
        const model = buildClusterModel(snapshotOf(cluster.nodes, cluster.vms));
        const result = plan({ model, policies: policiesWith(limits), now: NOW, rng: createRng(seed) });
        expect(firstHardRuleBroken(model, result)).toBeUndefined();
        expect(firstOvercommit(model, result)).toBeUndefined();
        expect(limitBroken(result, limits)).toBeUndefined();
        expect(movedTheUnmovable(model, result)).toBeUndefined();
      }),
      runs,
    );
  });

  it("makes only moves that lower the imbalance or relieve a hot spot", () => {
    fc.assert(
      fc.property(clusterCase, limitsCase, (cluster, limits) => {
        const model = buildClusterModel(snapshotOf(cluster.nodes, cluster.vms));
        const result = plan({ model, policies: policiesWith(limits), now: NOW, rng: createRng(1) });
        let imbalance = result.imbalanceBefore;
        for (const move of result.moves) {
          expect(move.imbalanceAfter <= imbalance + 1e-9 || move.gain.hotSpotPoints > 0).toBe(true);
          imbalance = move.imbalanceAfter;
        }
        expect(result.imbalanceAfter).toBeCloseTo(imbalance, 9);
      }),
      runs,
    );
  });

  it("gives the same plan for the same input and seed", () => {
    fc.assert(
      fc.property(clusterCase, limitsCase, fc.integer({ min: 0, max: 1000 }), (cluster, limits, seed) => {
        const snapshot = snapshotOf(cluster.nodes, cluster.vms);
        const first = plan({
          model: buildClusterModel(snapshot),
          policies: policiesWith(limits),
          now: NOW,
          rng: createRng(seed),
        });
        const second = plan({
          model: buildClusterModel(structuredClone(snapshot)),
          policies: policiesWith(limits),
          now: NOW,
          rng: createRng(seed),
        });
        expect(second).toEqual(first);
      }),
      { numRuns: 40 },
    );
  });
});
