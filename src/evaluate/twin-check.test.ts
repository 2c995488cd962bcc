import { describe, expect, it } from "vitest";
import { type ClusterSnapshot, clusterSnapshotSchema, type SnapshotMigration } from "../core/model/snapshot.ts";
import type { MigrationRecord, ReplayInput } from "./replay-metrics.ts";
import {
  busySecondsFromExposition,
  type CheckedRun,
  type CpuReading,
  migrationRecords,
  movesInCommon,
  samplesFromReadings,
  startFromSnapshot,
  twinCheckRows,
  vmsInCommon,
} from "./twin-check.ts";
import { meanUtilization } from "./replay-metrics.ts";

const T0 = Date.parse("2011-03-03T00:00:00Z");
const STEP = 5 * 60_000;
const iso = (ms: number): string => new Date(ms).toISOString();

function reading(at: number, busy: Record<string, number>): CpuReading {
  return { at, busySeconds: new Map(Object.entries(busy)) };
}

function migration(overrides: Partial<SnapshotMigration> = {}): SnapshotMigration {
  return {
    namespace: "planetlab",
    name: "kubedrs-a-1",
    vm: "a",
    phase: "Succeeded",
    source: "n1",
    target: "n2",
    createdAt: iso(T0 + 60_000),
    endedAt: iso(T0 + 70_000),
    byKubedrs: true,
    ...overrides,
  };
}

function record(vm: string, to: string, overrides: Partial<MigrationRecord> = {}): MigrationRecord {
  return {
    vm,
    from: "n1",
    to,
    startedAt: T0,
    endedAt: T0 + 10_000,
    bytes: 0,
    vmCpu: 0,
    outcome: "succeeded",
    ...overrides,
  };
}

function run(partial: Partial<ReplayInput>, wallSeconds = 1): CheckedRun {
  return {
    input: { samples: [], stepMs: STEP, migrations: [], requestedCpuSeconds: new Map(), ...partial },
    wallSeconds,
  };
}

describe("samplesFromReadings: node-exporter counters to the replay's samples", () => {
  const cores = new Map([
    ["n1", 10],
    ["n2", 20],
  ]);

  it.each([
    {
      name: "mean use over each interval, over the node's cores",
      readings: [reading(T0, { n1: 0, n2: 0 }), reading(T0 + STEP, { n1: 1500, n2: 600 })],
      // n1: 1500 CPU-s over 300 s = 5 cores of 10; n2: 600 / 300 = 2 of 20.
      expected: [{ at: T0, nodes: [0.5, 0.1] }],
    },
    {
      name: "an interval of another length is weighed by its own length",
      readings: [reading(T0, { n1: 0, n2: 0 }), reading(T0 + STEP + 15_000, { n1: 3150, n2: 0 })],
      expected: [{ at: T0, nodes: [1, 0] }],
    },
    {
      name: "a node missing from a reading counts as inactive for the intervals it bounds",
      readings: [
        reading(T0, { n1: 0, n2: 0 }),
        reading(T0 + STEP, { n1: 300 }),
        reading(T0 + 2 * STEP, { n1: 600, n2: 0 }),
      ],
      expected: [
        { at: T0, nodes: [0.1, "inactive"] },
        { at: T0 + STEP, nodes: [0.1, "inactive"] },
      ],
    },
  ])("$name", ({ readings, expected }) => {
    const samples = samplesFromReadings(readings, cores);
    expect(
      samples.map((sample) => ({
        at: sample.at,
        nodes: sample.nodes.map((node) => (node.active ? Number(node.utilization.toFixed(6)) : "inactive")),
      })),
    ).toEqual(expected);
  });

  it("makes no sample from a single reading", () => {
    expect(samplesFromReadings([reading(T0, { n1: 0 })], cores)).toEqual([]);
  });
});

describe("migrationRecords: the VMIMs an observer saw, as the replay records migrations", () => {
  const until = T0 + STEP;

  it.each([
    { name: "a succeeded one keeps its route and times", given: migration(), outcome: "succeeded", to: "n2" },
    {
      name: "a failed one that never got a target goes to the node it asked for",
      given: migration({ phase: "Failed", target: undefined, requestedTarget: "n3" }),
      outcome: "failed",
      to: "n3",
    },
  ])("$name", ({ given, outcome, to }) => {
    expect(migrationRecords([given], until)).toEqual([
      {
        vm: "planetlab/a",
        from: "n1",
        to,
        startedAt: T0 + 60_000,
        endedAt: T0 + 70_000,
        bytes: 0,
        vmCpu: 0,
        outcome,
      },
    ]);
  });

  it.each([
    { name: "still running", given: migration({ phase: "Running", endedAt: undefined }) },
    { name: "pending", given: migration({ phase: "Pending", endedAt: undefined }) },
    { name: "ended after the window", given: migration({ endedAt: iso(until + 1) }) },
  ])("leaves out one $name", ({ given }) => {
    expect(migrationRecords([given], until)).toEqual([]);
  });

  it("orders them by start, then VM", () => {
    const late = migration({ vm: "a", createdAt: iso(T0 + 120_000), endedAt: iso(T0 + 130_000) });
    const early = migration({ vm: "b" });
    expect(migrationRecords([late, early], until).map((entry) => entry.vm)).toEqual(["planetlab/b", "planetlab/a"]);
  });
});

describe("busySecondsFromExposition: node_cpu_seconds_total in every mode but idle", () => {
  it.each([
    {
      name: "sums user and system per node",
      text: [
        "# TYPE node_cpu_seconds_total counter",
        'node_cpu_seconds_total{node="n1",instance="n1",cpu="all",mode="idle"} 900',
        'node_cpu_seconds_total{node="n1",instance="n1",cpu="all",mode="system"} 10.5',
        'node_cpu_seconds_total{node="n1",instance="n1",cpu="all",mode="user"} 89.5',
        'node_cpu_seconds_total{node="n2",instance="n2",cpu="all",mode="user"} 3',
      ],
      expected: { n1: 100, n2: 3 },
    },
    {
      name: "reads the instance label when there is no node label",
      text: ['node_cpu_seconds_total{cpu="0",instance="n1",mode="user"} 4'],
      expected: { n1: 4 },
    },
    {
      name: "ignores other metrics, even ones that start alike",
      text: [
        'node_cpu_seconds_total_created{node="n1",mode="user"} 1',
        'kubevirt_vmi_cpu_usage_seconds_total{node="n1",namespace="p",name="a"} 7',
        'node_memory_MemTotal_bytes{node="n1",instance="n1"} 4294967296',
      ],
      expected: {},
    },
  ])("$name", ({ text, expected }) => {
    expect(Object.fromEntries(busySecondsFromExposition(text.join("\n")))).toEqual(expected);
  });
});

describe("startFromSnapshot: where the twin started, as the controller's snapshot shows it", () => {
  const snapshot: ClusterSnapshot = clusterSnapshotSchema.parse({
    apiVersion: "kubedrs.io/v1alpha1",
    kind: "ClusterSnapshot",
    takenAt: iso(T0),
    nodes: [
      {
        name: "n1",
        capacity: { cpu: "37", memory: "4Gi", pods: 250 },
        allocatable: { cpu: "36130m", memory: "3000Mi", pods: 250 },
      },
      { name: "n2", capacity: { cpu: "53", memory: "4Gi", pods: 110 } },
    ],
    vms: [
      {
        namespace: "planetlab",
        name: "a",
        node: "n2",
        requests: { cpu: "2500m", memory: "1350Mi" },
        guestMemory: "870Mi",
      },
    ],
  });

  it("reads each VM's node and requests (cores, bytes) and each node's allocatable, capacity when unset", () => {
    const start = startFromSnapshot(snapshot);
    expect(Object.fromEntries(start.nodeByVm)).toEqual({ "planetlab/a": "n2" });
    expect(start.accounting.requests.get("planetlab/a")).toEqual({ cpu: 2.5, memory: 1350 * 2 ** 20 });
    expect(start.accounting.allocatable.get("n1")).toEqual({ cpu: 36.13, memory: 3000 * 2 ** 20, pods: 250 });
    expect(start.accounting.allocatable.get("n2")).toEqual({ cpu: 53, memory: 4 * 2 ** 30, pods: 110 });
  });
});

describe("twinCheckRows: the same figures of both runs", () => {
  const hot = [
    {
      at: T0,
      nodes: [
        { utilization: 0.95, active: true },
        { utilization: 0.05, active: true },
      ],
    },
    {
      at: T0 + STEP,
      nodes: [
        { utilization: 0.5, active: true },
        { utilization: 0.5, active: true },
      ],
    },
  ];
  const even = [
    {
      at: T0,
      nodes: [
        { utilization: 0.5, active: true },
        { utilization: 0.5, active: true },
      ],
    },
  ];
  const pingPong = [
    record("p/a", "n2", { from: "n1", endedAt: T0 + 60_000 }),
    record("p/a", "n1", { from: "n2", endedAt: T0 + 120_000 }),
    record("p/b", "n2", { outcome: "failed" }),
  ];
  const rows = twinCheckRows(run({ samples: hot, migrations: pingPong }, 2), run({ samples: even }, 300));
  const byMetric = Object.fromEntries(rows.map((row) => [row.metric, [row.replay, row.twin]]));

  it.each([
    { metric: "Migrations", expected: [3, 0] },
    { metric: "Failed migrations", expected: [1, 0] },
    { metric: "Most migrations of one VM", expected: [2, 0] },
    { metric: "Ping-pongs", expected: [1, 0] },
    // One node-step of four above 80% and above 90%: 25%.
    { metric: "Node-time above 80% CPU (%)", expected: [25, 0] },
    { metric: "Node-time above 90% CPU (%)", expected: [25, 0] },
    // Std of (0.95, 0.05) is 0.45, then 0 for the second step: 0.225 over the two.
    { metric: "Imbalance (time-averaged)", expected: [0.225, 0] },
    { metric: "Mean node CPU utilization (%)", expected: [50, 50] },
    { metric: "Wall time (s)", expected: [2, 300] },
  ])("$metric", ({ metric, expected }) => {
    const [replay, twin] = byMetric[metric] ?? [];
    expect(replay).toBeCloseTo(expected[0] ?? Number.NaN, 9);
    expect(twin).toBeCloseTo(expected[1] ?? Number.NaN, 9);
  });

  it("has a row for each of the nine figures", () => {
    expect(rows.map((row) => row.metric)).toHaveLength(9);
  });
});

describe("mean utilization, and moves and VMs in common", () => {
  it("weighs each sample by how long it stands for and leaves inactive nodes out", () => {
    const samples = [
      {
        at: T0,
        nodes: [
          { utilization: 0.2, active: true },
          { utilization: 0.9, active: false },
        ],
      },
      {
        at: T0 + 2 * STEP,
        nodes: [
          { utilization: 0.8, active: true },
          { utilization: 0.9, active: false },
        ],
      },
    ];
    // 0.2 for two steps, 0.8 for the last (one step): 1.2 / 3.
    expect(meanUtilization(run({ samples }).input)).toBeCloseTo(0.4, 12);
  });

  it.each([
    { name: "the same VM to the same node", a: [record("p/a", "n2")], b: [record("p/a", "n2")], expected: 1 },
    { name: "the same VM to another node", a: [record("p/a", "n2")], b: [record("p/a", "n3")], expected: 0 },
    {
      name: "a failed one on either side",
      a: [record("p/a", "n2", { outcome: "failed" })],
      b: [record("p/a", "n2")],
      expected: 0,
    },
    {
      name: "a pair made twice counts once",
      a: [record("p/a", "n2"), record("p/a", "n2")],
      b: [record("p/a", "n2")],
      expected: 1,
    },
  ])("moves in common: $name", ({ a, b, expected }) => {
    expect(movesInCommon(a, b)).toBe(expected);
  });

  it("counts a VM both runs moved once, wherever each sent it", () => {
    const a = [record("p/a", "n2"), record("p/b", "n2"), record("p/c", "n2", { outcome: "failed" })];
    const b = [record("p/a", "n3"), record("p/c", "n2")];
    expect(vmsInCommon(a, b)).toBe(1);
  });
});
