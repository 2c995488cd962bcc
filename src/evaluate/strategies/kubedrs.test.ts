import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { EMPTY_ANTI_THRASH } from "../../core/balance/anti-thrash.ts";
import { plan } from "../../core/balance/plan.ts";
import { createRng } from "../../core/numeric/rng.ts";
import { EMPTY_POLICY_SET } from "../../core/policy/policy-set.ts";
import { decodeScenario } from "../../twin/scenario/index.ts";
import { MemoryTraceLibrary } from "../../twin/workload/trace.ts";
import { replayModel } from "../replay-snapshot.ts";
import type { ReplayState } from "../replay-types.ts";
import { packedPlacement, workloadFromScenario } from "../workload.ts";
import { kubedrsStrategy } from "./kubedrs.ts";
import { indexMoves, usageSettingsOf } from "./moves.ts";

/** Two busy 25-vCPU VMs packed on the first of eight identical hosts: where each goes is a tie. */
function hotSpot(): ReplayState {
  const text = [
    "apiVersion: kubedrs.io/v1alpha1",
    "kind: TwinScenario",
    "metadata: { name: ties }",
    "spec:",
    "  start: '2011-03-03T00:00:00Z'",
    "  duration: 15m",
    "  nodePools:",
    "    - { name: g4, count: 8, cpu: skylake, cores: 37, memory: 4Gi }",
    "  vmGroups:",
    "    - { name: big, cpu: 25, memory: 870Mi, traces: { directory: /t, interval: 5m } }",
  ].join("\n");
  const decoded = decodeScenario(parse(text), new Map([["big", ["/t/a", "/t/b"]]]));
  if (!decoded.ok) throw new Error(JSON.stringify(decoded.errors));
  const library = new MemoryTraceLibrary([
    ["/t/a", Float64Array.from([0.9])],
    ["/t/b", Float64Array.from([0.9])],
  ]);
  const workload = workloadFromScenario(decoded.scenario, library, { day: "20110303", place: packedPlacement });
  return {
    now: workload.start + 60_000,
    stepMs: workload.stepMs,
    hosts: workload.hosts,
    vms: workload.vms,
    hostOf: workload.initialHostOf,
    cpuHistory: (vm) => [(workload.demand[vm]?.[0] ?? 0) * (workload.vms[vm]?.vcpus ?? 0)],
    migrating: new Set(),
    migrations: [],
  };
}

describe("kubedrsStrategy", () => {
  it("seeds each pass as the controller does (its seed plus the pass's number), so ties go the same way", () => {
    const state = hotSpot();
    const seed = 7;
    const strategy = kubedrsStrategy({ policies: EMPTY_POLICY_SET, seed });
    const asController = (pass: number): unknown => {
      const model = replayModel(state, usageSettingsOf(EMPTY_POLICY_SET));
      const result = plan({
        model,
        policies: EMPTY_POLICY_SET,
        now: state.now,
        rng: createRng(seed + pass),
        antiThrash: EMPTY_ANTI_THRASH,
      });
      return indexMoves(state, result.moves);
    };
    const decided = [1, 2, 3, 4].map(() => strategy.decide(state));
    expect(decided[0]).not.toEqual([]);
    expect(decided).toEqual([1, 2, 3, 4].map(asController));
  });
});
