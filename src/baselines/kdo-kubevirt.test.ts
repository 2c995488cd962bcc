import { describe, expect, it } from "vitest";
import { createRng } from "../core/numeric/rng.ts";
import type { MigrationRecord } from "../evaluate/replay-metrics.ts";
import type { ReplayHost, ReplayState, ReplayVm } from "../evaluate/replay-types.ts";
import {
  KDO_KUBEVIRT_DEFAULTS,
  KDO_KUBEVIRT_SIMPLIFICATIONS,
  type KdoKubevirtOptions,
  classifyRelieveAndMigrate,
  cooldownMs,
  kdoKubevirt,
  relieveAndMigrateMetric,
  softTaints,
} from "./kdo-kubevirt.ts";

const GB = 1e9;
const MIN = 60_000;
const HOUR = 60 * MIN;
const NOW = Date.parse("2026-01-01T00:00:00Z");

interface VmSpec {
  readonly host: number;
  /** CPU demand (cores) at the last sample; the sample before is 0. */
  readonly cpu: number;
  readonly memory?: number;
  readonly requestCpu?: number;
}

interface Extra {
  readonly migrating?: readonly number[];
  readonly migrations?: readonly MigrationRecord[];
}

/** Hosts of 10 cores, 100 GB and 110 pods; VMs of 10 GB requesting 1 core unless told. */
function cluster(hosts: number, specs: readonly VmSpec[], extra: Extra = {}): ReplayState {
  const vms: ReplayVm[] = specs.map((spec, i) => {
    const memory = spec.memory ?? 10 * GB;
    return { key: `ns/vm${i}`, vcpus: 4, memory, requests: { cpu: spec.requestCpu ?? 1, memory }, dirtyRate: 0 };
  });
  const list: ReplayHost[] = Array.from({ length: hosts }, (_, i) => ({
    name: `h${i}`,
    type: "G5",
    cores: 10,
    memory: 100 * GB,
    pods: 110,
    labels: {},
  }));
  return {
    now: NOW,
    stepMs: 300_000,
    hosts: list,
    vms,
    hostOf: Int32Array.from(specs.map((spec) => spec.host)),
    cpuHistory: (vm, samples) => [0, specs[vm]?.cpu ?? 0].slice(-samples),
    migrating: new Set(extra.migrating ?? []),
    migrations: extra.migrations ?? [],
  };
}

function migration(vm: number, endedAgo: number, extra: Partial<MigrationRecord> = {}): MigrationRecord {
  const endedAt = NOW - endedAgo;
  return {
    vm: `ns/vm${vm}`,
    from: "h9",
    to: "h0",
    startedAt: endedAt - MIN,
    endedAt,
    bytes: 10 * GB,
    vmCpu: 1,
    outcome: "succeeded",
    ...extra,
  };
}

function decide(state: ReplayState, options: Partial<KdoKubevirtOptions> = {}): readonly { vm: number; to: number }[] {
  return kdoKubevirt({ rng: createRng(1), ...options }).decide(state);
}

/**
 * Host 0: VMs 0–2 demand 4 cores each: 12 on 10 cores → CPU utilization 1, PSI 1 − 10/12 = 1/6, memory 0.3.
 * Hosts 1–3: one VM each demanding 3, 3, 2 cores (utilization 0.3, 0.3, 0.2), memory 0.1; requests 1, 1.5, 3 cores.
 * Averages: CPU 0.45, PSI 1/24, memory 0.15 → host 0's positive deviations 0.55, 0.125, 0.15 → 3 × 0.58 → 1;
 * hosts 1–3 are at or below every average → 0. Usage 100, 0, 0, 0; mean 25: under ≤ 25 (hosts 1–3),
 * over > 35 (host 0). Soft taints: host 0 two, hosts 1–3 none.
 */
function hotHost(): VmSpec[] {
  return [
    { host: 0, cpu: 4 },
    { host: 0, cpu: 4 },
    { host: 0, cpu: 4 },
    { host: 1, cpu: 3 },
    { host: 2, cpu: 3, requestCpu: 1.5 },
    { host: 3, cpu: 2, requestCpu: 3 },
  ];
}

// kube-scheduler for a 1-core, 10 GB target pod, all candidates untainted (taint score 300):
//   host 1: 0.2 CPU, 0.2 memory → LA 80 + BA 100 = 180 → 480;
//   host 2: 0.25, 0.2 → LA 77 + BA 97 = 174 → 474;  host 3: 0.4, 0.2 → LA 70 + BA 90 → 460.
// After one pod lands on host 1: 0.3, 0.3 → 70 + 100 = 170 → 470 < 474, so the second goes to host 2.
const FIRST_TWO = [
  { vm: 0, to: 1 },
  { vm: 1, to: 2 },
];

describe("relieveAndMigrateMetric", () => {
  it("is clamp_max(3 × distance of the positive deviations, 1) over CPU, CPU PSI, memory and memory PSI", () => {
    // CPU util 1, 0.5, 0.3, 0 (avg 0.45); PSI 1/6, 0, 0, 0 (avg 1/24); memory 0.4, 0.4, 0.2, 0 (avg 0.25).
    // Host 0: sqrt(0.55² + 0.125² + 0.15²) × 3 = 1.75 → 1. Host 1: sqrt(0.05² + 0.15²) × 3 = 3 × √0.025.
    const state = cluster(4, [
      { host: 0, cpu: 6, memory: 20 * GB },
      { host: 0, cpu: 6, memory: 20 * GB },
      { host: 1, cpu: 5, memory: 40 * GB },
      { host: 2, cpu: 3, memory: 20 * GB },
    ]);
    const metric = relieveAndMigrateMetric(state);
    expect(metric[0]).toBe(1);
    expect(metric[1]).toBeCloseTo(3 * Math.sqrt(0.025), 12);
    expect(metric[2]).toBe(0);
    expect(metric[3]).toBe(0);
  });

  it("separates saturated nodes by CPU pressure alone", () => {
    // All three at utilization 1; demand 11, 10, 10 → PSI 1/11, 0, 0 (avg 1/33) → host 0: 3 × 2/33.
    const state = cluster(3, [
      { host: 0, cpu: 11 },
      { host: 1, cpu: 10 },
      { host: 2, cpu: 10 },
    ]);
    const metric = relieveAndMigrateMetric(state);
    expect(metric[0]).toBeCloseTo(6 / 33, 12);
    expect(metric[1]).toBe(0);
  });
});

describe("classification and soft taints", () => {
  it.each([
    {
      name: "over-utilized nodes get two taints, under-utilized none",
      // Usage 100, 47, 0, 0 (host 1: 3 × √0.025 = 0.474): mean 36.75, over > 46.75: hosts 0 and 1.
      specs: [
        { host: 0, cpu: 6, memory: 20 * GB },
        { host: 0, cpu: 6, memory: 20 * GB },
        { host: 1, cpu: 5, memory: 40 * GB },
        { host: 2, cpu: 3, memory: 20 * GB },
      ],
      usage: [100, 47, 0, 0],
      under: [2, 3],
      over: [0, 1],
      taints: [2, 2, 0, 0],
    },
    {
      name: "appropriately utilized nodes get one taint",
      // Host 1 demands 6 cores (utilization 0.6, avg 0.45): 3 × 0.15 = 0.4499999… in floating point, which
      // the Prometheus client truncates to 44 (int64(value × 100)). Usage 100, 44, 0, 0: mean 36, so host 1
      // is neither ≤ 36 nor > 46.
      specs: [...hotHost().slice(0, 3), { host: 1, cpu: 6 }, { host: 2, cpu: 1 }, { host: 3, cpu: 1 }],
      usage: [100, 44, 0, 0],
      under: [2, 3],
      over: [0],
      taints: [2, 1, 0, 0],
    },
  ])("$name", ({ specs, usage, under, over, taints }) => {
    const classes = classifyRelieveAndMigrate(cluster(4, specs), KDO_KUBEVIRT_DEFAULTS);
    expect([...classes.usage]).toEqual(usage);
    expect(classes.under).toEqual(under);
    expect(classes.over).toEqual(over);
    expect([...softTaints(classes, 4)]).toEqual(taints);
  });

  it("leaves appropriate nodes untainted when no node is under-utilized", () => {
    expect([...softTaints({ usage: Int32Array.from([50, 30]), low: 0, high: 40, under: [], over: [0] }, 2)]).toEqual([
      2, 0,
    ]);
  });
});

describe("cooldownMs (KubevirtMigrationAware)", () => {
  it.each([
    { name: "one short migration: the 15-minute base", ends: [20 * MIN], duration: MIN, expected: 15 * MIN },
    { name: "a long migration sets the base", ends: [20 * MIN], duration: 25 * MIN, expected: 25 * MIN },
    {
      name: "doubles per extra migration in 48 h",
      ends: [20 * MIN, 30 * HOUR, 40 * HOUR],
      duration: MIN,
      expected: 60 * MIN,
    },
    { name: "older than 48 h does not count", ends: [20 * MIN, 49 * HOUR], duration: MIN, expected: 15 * MIN },
    {
      name: "capped at 6 h",
      ends: [MIN, 2 * HOUR, 3 * HOUR, 4 * HOUR, 5 * HOUR, 6 * HOUR],
      duration: MIN,
      expected: 6 * HOUR,
    },
  ])("$name", ({ ends, duration, expected }) => {
    const lastEnd = NOW - Math.min(...ends);
    const history = { lastEnd, lastStart: lastEnd - duration, ends: ends.map((ago) => NOW - ago) };
    expect(cooldownMs(history, NOW, KDO_KUBEVIRT_DEFAULTS)).toBe(expected);
  });
});

describe("kdoKubevirt", () => {
  it("is named and runs every hour (the operator's sample deschedulingIntervalSeconds)", () => {
    const strategy = kdoKubevirt({ rng: createRng(1) });
    expect(strategy.name).toBe("kdo-kubevirt");
    expect(strategy.intervalMs).toBe(3_600_000);
    expect(KDO_KUBEVIRT_SIMPLIFICATIONS.length).toBeGreaterThan(0);
  });

  it.each([
    {
      name: "evicts up to evictionLimits.node = 2 pods from the over-utilized node, in index order",
      state: cluster(4, hotHost()),
      options: {},
      expected: FIRST_TWO,
    },
    {
      name: "evicts one pod per node when the plugin has no node limit of its own (README's single-pod rule)",
      state: cluster(4, hotHost()),
      options: { evictionLimitsNode: 1 },
      expected: [{ vm: 0, to: 1 }],
    },
    {
      name: "respects the total limit",
      state: cluster(4, hotHost()),
      options: { maxPodsToEvictTotal: 1 },
      expected: [{ vm: 0, to: 1 }],
    },
    {
      name: "counts migrations in flight against the total",
      // VMs 3–5 (on hosts 1–3) in flight and a total of 4: 3 + 1 ≤ 4 allows one eviction, 3 + 2 > 4 stops.
      state: cluster(4, hotHost(), { migrating: [3, 4, 5] }),
      options: { maxPodsToEvictTotal: 4 },
      expected: [{ vm: 0, to: 1 }],
    },
    {
      name: "counts a migration in flight from the node against its limit of 2 and never evicts that VM",
      state: cluster(4, hotHost(), { migrating: [0] }),
      options: {},
      expected: [{ vm: 1, to: 1 }],
    },
    {
      name: "skips a VM in cooldown (migrated 10 minutes ago) and takes the next ones",
      state: cluster(4, hotHost(), { migrations: [migration(0, 10 * MIN)] }),
      options: {},
      expected: [
        { vm: 1, to: 1 },
        { vm: 2, to: 2 },
      ],
    },
    {
      name: "a cooldown that has expired (20 minutes after a single migration) does not block",
      state: cluster(4, hotHost(), { migrations: [migration(0, 20 * MIN)] }),
      options: {},
      expected: FIRST_TWO,
    },
    {
      name: "a second migration within 48 h doubles the cooldown to 30 minutes",
      state: cluster(4, hotHost(), { migrations: [migration(0, 30 * HOUR), migration(0, 20 * MIN)] }),
      options: {},
      expected: [
        { vm: 1, to: 1 },
        { vm: 2, to: 2 },
      ],
    },
    {
      name: "failed migrations start no cooldown",
      state: cluster(4, hotHost(), { migrations: [migration(0, 5 * MIN, { outcome: "failed" })] }),
      options: {},
      expected: FIRST_TWO,
    },
  ])("$name", ({ state, options, expected }) => {
    expect(decide(state, options)).toEqual(expected);
  });

  it("steers target pods away from soft-tainted nodes", () => {
    // Host 1 (VM 3 demands 6 cores, requests 1) is appropriately utilized: one PreferNoSchedule taint,
    // hosts 2 and 3 none (see the classification test). Counts 1, 0, 0 → taint scores 0, 100, 100.
    // VM 0: host 1 0.2/0.2 → 180 + 0; host 2 (requests 3) 0.4/0.2 → 160 + 300 = 460; host 3 (requests 3.5)
    // 0.45/0.2 → LA 67 + BA 87 + 300 = 454. Host 2. VM 1: host 2 now 0.5/0.3 → 60 + 90 + 300 = 450 < 454: host 3.
    // Without the taint host 1 (480) would take both.
    const specs: VmSpec[] = [
      ...hotHost().slice(0, 3),
      { host: 1, cpu: 6 },
      { host: 2, cpu: 1, requestCpu: 3 },
      { host: 3, cpu: 1, requestCpu: 3.5 },
    ];
    expect(decide(cluster(4, specs))).toEqual([
      { vm: 0, to: 2 },
      { vm: 1, to: 3 },
    ]);
  });

  it.each([
    {
      name: "every node is under-utilized (a balanced cluster)",
      specs: [
        { host: 0, cpu: 3 },
        { host: 1, cpu: 3 },
        { host: 2, cpu: 3 },
      ],
      options: {},
    },
    {
      name: "no node is over-utilized (within 10 points of the mean)",
      // Host 0 at 0.55 vs avg 0.5: 3 × 0.05 → 15; usage 15, 0, 0: mean 5, over > 15: none.
      specs: [
        { host: 0, cpu: 5.5 },
        { host: 1, cpu: 4.5 },
        { host: 2, cpu: 5 },
      ],
      options: {},
    },
    {
      name: "no node is under-utilized (low deviation 30)",
      // Host 0: CPU 0.9 (avg 0.5) → 3 × 0.4 → 100; hosts 1 and 2: memory 0.4 (avg 0.3) → 3 × 0.1 → 30.
      // Mean 53.3: under ≤ 23.3 with a low deviation of 30 → none. (With the default 0, hosts 1 and 2
      // are under-utilized and host 0 is relieved.)
      specs: [
        { host: 0, cpu: 9 },
        { host: 1, cpu: 3, memory: 40 * GB },
        { host: 2, cpu: 3, memory: 40 * GB },
      ],
      options: { lowDeviation: 30 },
    },
  ])("does nothing when $name", ({ specs, options }) => {
    expect(decide(cluster(3, specs), options)).toEqual([]);
  });

  it("relieves the same cluster with the default low deviation of 0", () => {
    // The last case above with the defaults: VM 0 → host 1 or 2, both 0.2 CPU / 0.5 memory: a tie.
    const moves = decide(
      cluster(3, [
        { host: 0, cpu: 9 },
        { host: 1, cpu: 3, memory: 40 * GB },
        { host: 2, cpu: 3, memory: 40 * GB },
      ]),
    );
    expect(moves).toHaveLength(1);
    expect(moves[0]?.vm).toBe(0);
    expect([1, 2]).toContain(moves[0]?.to);
  });
});
