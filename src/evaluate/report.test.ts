import { describe, expect, it } from "vitest";
import type { ReplayMetrics } from "./replay-metrics.ts";
import type { StrategyDayResult } from "./report-types.ts";
import { bestBaseline, buildReport, goalsOf, summariesOf } from "./report.ts";

function result(
  strategy: string,
  day: string,
  over: { above90: number; migrations: number; max?: number; pingPongs?: number },
): StrategyDayResult {
  const metrics: ReplayMetrics = {
    overload: { above80: over.above90 * 2, above90: over.above90 },
    meanImbalance: 0.1,
    migrations: {
      total: over.migrations,
      perVmPerDay: { max: over.max ?? 1, p99: 1 },
      bytes: over.migrations * 1e9,
      failedOrAborted: 0,
    },
    pingPongs: over.pingPongs ?? 0,
    slatah: 0,
    pdm: 0,
    slav: 0,
    activeHostHours: 24,
  };
  return {
    strategy,
    day,
    metrics,
    decisionTime: { decisions: 1, meanMs: 1, p95Ms: 1, maxMs: 1 },
    imbalance: [],
    overloadedShare: [],
    vmsByMigrations: [],
  };
}

const days = ["20110303", "20110306"];

function runs(kubedrs: { above90: number; migrations: number; max?: number; pingPongs?: number }): StrategyDayResult[] {
  return days.flatMap((day) => [
    result("none", day, { above90: 0.01, migrations: 0 }),
    result("descheduler-lnu", day, { above90: 0.004, migrations: 100 }),
    result("drs-greedy", day, { above90: 0.002, migrations: 50 }),
    result("kubedrs", day, kubedrs),
  ]);
}

describe("goalsOf", () => {
  it.each([
    { name: "all met", kubedrs: { above90: 0.001, migrations: 30 }, met: [true, true, true, true, true] },
    // 35 per day: 70 of 200 (35%) and of 100 (70%): both share goals are met at the boundary.
    {
      name: "at the migration bounds",
      kubedrs: { above90: 0.001, migrations: 35 },
      met: [true, true, true, true, true],
    },
    {
      name: "a tie on overload is not lower",
      kubedrs: { above90: 0.002, migrations: 30 },
      met: [false, true, true, true, true],
    },
    { name: "too many moves", kubedrs: { above90: 0.001, migrations: 60 }, met: [true, false, false, true, true] },
    {
      name: "3 a day and a ping-pong",
      kubedrs: { above90: 0.001, migrations: 30, max: 3, pingPongs: 1 },
      met: [true, true, true, false, false],
    },
  ])("$name", ({ kubedrs, met }) => {
    const strategies = ["none", "descheduler-lnu", "drs-greedy", "kubedrs"];
    const goals = goalsOf(summariesOf(strategies, runs(kubedrs)));
    expect(goals.map((goal) => goal.met)).toEqual(met);
  });
});

describe("summaries and the report", () => {
  it("means shares over days, totals migrations, and takes the highest per-VM day", () => {
    const results = [
      result("kubedrs", days[0] ?? "", { above90: 0.002, migrations: 10, max: 1 }),
      result("kubedrs", days[1] ?? "", { above90: 0.004, migrations: 20, max: 2 }),
    ];
    const [summary] = summariesOf(["kubedrs"], results);
    expect(summary?.above90).toBeCloseTo(0.003);
    expect(summary?.migrationsTotal).toBe(30);
    expect(summary?.perVmMax).toBe(2);
    expect(summary?.days).toBe(2);
  });

  it("names the baseline with the least overload, never none or kubedrs, and shows its heat map beside kubedrs'", () => {
    const results = runs({ above90: 0, migrations: 1 });
    const strategies = ["none", "descheduler-lnu", "drs-greedy", "kubedrs"];
    expect(bestBaseline(summariesOf(strategies, results))).toBe("drs-greedy");
    const map = (strategy: string, day: string) => ({ strategy, day, nodesPerRow: 1, stepsPerColumn: 1, cells: [[0]] });
    const report = buildReport({
      results,
      heatMaps: days.flatMap((day) => strategies.map((strategy) => map(strategy, day))),
      days,
      strategies: ["kubedrs", "none", "drs-greedy", "descheduler-lnu"],
      machine: { node: "v24", cpus: 2 },
      start: "packed",
      accounting: "kubernetes",
      generatedAt: "2026-11-22T00:00:00Z",
      scenario: { name: "s", summary: "A test cluster.", hosts: 2, hostTypes: [], vmTypes: [], stepMinutes: 5 },
    });
    expect(report.strategies).toEqual(["none", "descheduler-lnu", "drs-greedy", "kubedrs"]);
    expect(report.scenario.description).toBe(
      "A test cluster. VMs start packed (each on the first host with room for its requests). Requests count as in Kubernetes: each virt-launcher pod's requests, KubeVirt's overhead included, against the kubelet's allocatable.",
    );
    expect(report.heatMaps.map((heat) => `${heat.strategy}@${heat.day}`).sort()).toEqual([
      "drs-greedy@20110303",
      "kubedrs@20110303",
    ]);
    expect(Object.keys(report.simplifications)).toEqual(
      expect.arrayContaining(["replay", "descheduler-lnu", "kdo-kubevirt", "proxmox-auto", "drs-greedy"]),
    );
  });
});
