import { describe, expect, it } from "vitest";
import {
  type MigrationRecord,
  type ReplayInput,
  type ReplaySample,
  countPingPongs,
  replayMetrics,
} from "./replay-metrics.ts";

const T0 = Date.parse("2011-03-03T00:00:00Z");
const STEP = 5 * 60_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function samples(...utilizations: (readonly number[])[]): ReplaySample[] {
  return utilizations.map((row, i) => ({
    at: T0 + i * STEP,
    nodes: row.map((utilization) => ({ utilization, active: true })),
  }));
}

function move(
  vm: string,
  from: string,
  to: string,
  endedAt: number,
  extra: Partial<MigrationRecord> = {},
): MigrationRecord {
  return { vm, from, to, startedAt: endedAt - 60_000, endedAt, bytes: 1e9, vmCpu: 2, outcome: "succeeded", ...extra };
}

function input(partial: Partial<ReplayInput>): ReplayInput {
  return { samples: [], stepMs: STEP, migrations: [], requestedCpuSeconds: new Map(), ...partial };
}

describe("replayMetrics: overload, imbalance, host time", () => {
  it("counts the share of active node-time above 80% and 90%, each sample standing for its step", () => {
    // Two nodes, four steps: node 0 at 0.85, 0.95, 1.0, 0.5; node 1 at 0.5 throughout.
    const metrics = replayMetrics(input({ samples: samples([0.85, 0.5], [0.95, 0.5], [1.0, 0.5], [0.5, 0.5]) }));
    expect(metrics.overload.above80).toBeCloseTo(3 / 8, 12);
    expect(metrics.overload.above90).toBeCloseTo(2 / 8, 12);
    expect(metrics.activeHostHours).toBeCloseTo((8 * STEP) / HOUR, 12);
  });

  it("leaves inactive nodes out of overload, imbalance and host time", () => {
    const rows: ReplaySample[] = [
      {
        at: T0,
        nodes: [
          { utilization: 0.95, active: true },
          { utilization: 0, active: false },
        ],
      },
    ];
    const metrics = replayMetrics(input({ samples: rows }));
    expect(metrics.overload.above90).toBe(1);
    expect(metrics.meanImbalance).toBe(0);
    expect(metrics.activeHostHours).toBeCloseTo(STEP / HOUR, 12);
  });

  it("averages the population standard deviation of utilization over time, weighted by each sample's span", () => {
    const rows: ReplaySample[] = [
      { at: T0, nodes: [0.2, 0.8].map((utilization) => ({ utilization, active: true })) },
      // This sample stands for three steps: the next comes 3 steps later.
      { at: T0 + STEP, nodes: [0.5, 0.5].map((utilization) => ({ utilization, active: true })) },
      { at: T0 + 4 * STEP, nodes: [0.4, 0.6].map((utilization) => ({ utilization, active: true })) },
    ];
    // std devs 0.3, 0, 0.1 over spans 1, 3, 1 steps.
    expect(replayMetrics(input({ samples: rows })).meanImbalance).toBeCloseTo((0.3 + 0 + 0.1) / 5, 12);
  });

  it("SLATAH: each host's time at 100% over its active time, averaged over hosts", () => {
    const metrics = replayMetrics(input({ samples: samples([1.0, 0.5], [1.2, 1.0], [0.5, 0.5], [0.5, 0.5]) }));
    // Host 0: 2 of 4 steps saturated; host 1: 1 of 4.
    expect(metrics.slatah).toBeCloseTo((2 / 4 + 1 / 4) / 2, 12);
  });
});

describe("replayMetrics: migrations, PDM and SLAV", () => {
  const day = samples(...Array.from({ length: 288 }, () => [0.5, 0.5]));

  it("counts migrations per VM per day with the VMs that never moved, bytes and failures", () => {
    const requested = new Map(Array.from({ length: 100 }, (_, i) => [`vm-${i}`, 86_400]));
    const migrations = [
      move("vm-0", "a", "b", T0 + HOUR),
      move("vm-0", "b", "c", T0 + 3 * HOUR),
      move("vm-0", "c", "d", T0 + 5 * HOUR, { outcome: "failed" }),
      move("vm-1", "a", "b", T0 + HOUR, { bytes: 3e9 }),
    ];
    const metrics = replayMetrics(input({ samples: day, migrations, requestedCpuSeconds: requested }));
    expect(metrics.migrations).toEqual({
      total: 4,
      perVmPerDay: { max: 3, p99: 1 },
      bytes: 6e9,
      failedOrAborted: 1,
    });
  });

  // One VM moving twice on day 2 of 2, the others never: 2 × VMs pairs, all zeros but one 2. With
  // 40 VMs the p99's rank (ceil(0.99 × 80) = 80) is past the 79 zeros; with 60 (rank 119 of 120) it
  // falls among the 119 zeros, which it would not with the second day's zeros left out (rank 60 of 60).
  it.each([
    { vms: 40, p99: 2 },
    { vms: 60, p99: 0 },
  ])("counts per VM per day over two days, the zeros of both days included ($vms VMs)", ({ vms, p99 }) => {
    const twoDays = samples(...Array.from({ length: 2 * 288 }, () => [0.5, 0.5]));
    const requested = new Map(Array.from({ length: vms }, (_, i) => [`vm-${i}`, 2 * 86_400]));
    const migrations = [move("vm-0", "a", "b", T0 + DAY + HOUR), move("vm-0", "b", "c", T0 + DAY + 3 * HOUR)];
    const metrics = replayMetrics(input({ samples: twoDays, migrations, requestedCpuSeconds: requested }));
    expect(metrics.migrations.perVmPerDay).toEqual({ max: 2, p99 });
  });

  it("PDM: 10% of each VM's CPU while it migrated over the CPU it requested, averaged over every VM; SLAV = SLATAH × PDM", () => {
    // vm-a: 2 cores for 60 s migrating → 12 CPU-s degraded of 1,000 requested; vm-b never moved.
    const requested = new Map([
      ["vm-a", 1_000],
      ["vm-b", 500],
    ]);
    const saturated = samples([1.0], [0.5]);
    const metrics = replayMetrics(
      input({ samples: saturated, migrations: [move("vm-a", "x", "y", T0 + 60_000)], requestedCpuSeconds: requested }),
    );
    expect(metrics.pdm).toBeCloseTo(0.006, 12);
    expect(metrics.slatah).toBeCloseTo(0.5, 12);
    expect(metrics.slav).toBeCloseTo(0.003, 12);
  });
});

describe("countPingPongs", () => {
  it.each([
    {
      name: "back to the node it left within the hour",
      moves: [move("v", "a", "b", HOUR), move("v", "b", "a", 1.5 * HOUR)],
      expected: 1,
    },
    { name: "back after the hour", moves: [move("v", "a", "b", HOUR), move("v", "b", "a", 2 * HOUR)], expected: 0 },
    { name: "onward, not back", moves: [move("v", "a", "b", HOUR), move("v", "b", "c", 1.2 * HOUR)], expected: 0 },
    {
      name: "another VM to that node",
      moves: [move("v", "a", "b", HOUR), move("w", "b", "a", 1.2 * HOUR)],
      expected: 0,
    },
    {
      name: "a failed move back does not count",
      moves: [move("v", "a", "b", HOUR), move("v", "b", "a", 1.2 * HOUR, { outcome: "failed" })],
      expected: 0,
    },
    {
      name: "a → b → a → b within the hour: two",
      moves: [move("v", "a", "b", HOUR), move("v", "b", "a", 1.2 * HOUR), move("v", "a", "b", 1.4 * HOUR)],
      expected: 2,
    },
  ])("$name", ({ moves, expected }) => {
    expect(countPingPongs(moves)).toBe(expected);
  });
});
