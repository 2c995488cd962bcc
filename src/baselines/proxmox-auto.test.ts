import { describe, expect, it } from "vitest";
import { createRng } from "../core/numeric/rng.ts";
import type { ReplayHost, ReplayState, ReplayVm } from "../evaluate/replay-types.ts";
import {
  PROXMOX_AUTO_DEFAULTS,
  PROXMOX_AUTO_SIMPLIFICATIONS,
  bestBalancingMigration,
  nodeImbalance,
  nodeLoads,
  proxmoxAuto,
} from "./proxmox-auto.ts";

const GiB = 2 ** 30;

interface HostSpec {
  readonly name?: string;
  readonly cores?: number;
  /** GiB. */
  readonly memory?: number;
}

interface VmSpec {
  readonly key?: string;
  readonly host: number;
  /** Cores in use at the last sample. */
  readonly cpu: number;
  /** Guest RAM, GiB. */
  readonly memory: number;
}

interface StateSpec {
  readonly hosts: readonly HostSpec[];
  readonly vms: readonly VmSpec[];
  readonly migrating?: readonly number[];
}

function replayHost(spec: HostSpec, index: number): ReplayHost {
  const cores = spec.cores ?? 10;
  const memory = (spec.memory ?? 100) * GiB;
  return { name: spec.name ?? `h${index}`, type: "G5", cores, memory, pods: 110, labels: {} };
}

function replayVm(spec: VmSpec, index: number): ReplayVm {
  const memory = spec.memory * GiB;
  return {
    key: spec.key ?? `ns/vm${String(index).padStart(4, "0")}`,
    vcpus: 4,
    memory,
    requests: { cpu: 1, memory },
    dirtyRate: 0,
  };
}

/** A replay state from hosts (10 cores, 100 GiB unless told) and VMs with their last CPU sample. */
function replayState(spec: StateSpec): ReplayState {
  return {
    now: 0,
    stepMs: 300_000,
    hosts: spec.hosts.map(replayHost),
    vms: spec.vms.map(replayVm),
    hostOf: Int32Array.from(spec.vms, (vm) => vm.host),
    cpuHistory: (vm, samples) => (samples > 0 ? [spec.vms[vm]?.cpu ?? 0] : []),
    migrating: new Set(spec.migrating ?? []),
    migrations: [],
  };
}

const THREE = [{}, {}, {}];

/**
 * Three hosts of 10 cores and 100 GiB. Loads (cpu% + mem%)/2:
 *   h0: a (4 cores, 40 GiB) + b (2, 20) → (0.6 + 0.6)/2 = 0.6;  h1: c (2, 20) → 0.2;  h2: d (1, 10) → 0.1.
 * Mean 0.3, deviations 0.3, −0.1, −0.2, squares sum 0.14; population sd √(0.14/3) = 0.216025;
 * CV = 0.720082; / √(3 − 1) → 0.509175.
 * Best move b → h2: loads 0.4, 0.2, 0.3, mean 0.3, squares 0.02, sd 0.081650, CV 0.272166, / √2 → 0.192450.
 * (Runners-up: a → h2 gives 0.2, 0.2, 0.5 → 0.333333; b → h1 gives 0.4, 0.4, 0.1 → 0.333333.)
 */
const LOPSIDED: StateSpec = {
  hosts: THREE,
  vms: [
    { key: "ns/a", host: 0, cpu: 4, memory: 40 },
    { key: "ns/b", host: 0, cpu: 2, memory: 20 },
    { key: "ns/c", host: 1, cpu: 2, memory: 20 },
    { key: "ns/d", host: 2, cpu: 1, memory: 10 },
  ],
};
const LOPSIDED_IMBALANCE = 0.509175;
const LOPSIDED_BEST = { vm: 1, to: 2 };

/** Three hosts at 0.3 each: imbalance 0. */
const BALANCED: StateSpec = {
  hosts: THREE,
  vms: [
    { host: 0, cpu: 3, memory: 30 },
    { host: 1, cpu: 3, memory: 30 },
    { host: 2, cpu: 3, memory: 30 },
  ],
};

/**
 * Only indivisible VMs: h0: a (6, 60) → 0.6; h1: b (2, 20) → 0.2; h2: c (1, 10) → 0.1; imbalance
 * 0.509175 as LOPSIDED. Every move makes it worse: the best, b → h2 (0.6, 0, 0.3: mean 0.3, squares
 * 0.18, √(0.18/6) / 0.3) or c → h1 (0.6, 0.3, 0), gives 0.577350; so the relative change is < 0.
 */
const STUCK: StateSpec = {
  hosts: THREE,
  vms: [
    { host: 0, cpu: 6, memory: 60 },
    { host: 1, cpu: 2, memory: 20 },
    { host: 2, cpu: 1, memory: 10 },
  ],
};

function rounds(strategy: ReturnType<typeof proxmoxAuto>, specs: readonly StateSpec[]): number[] {
  return specs.map((spec) => strategy.decide(replayState(spec)).length);
}

describe("nodeImbalance: CV of node loads (population sd) over √(n − 1)", () => {
  it.each([
    // mean 0.6, population sd 0.2 (a sample sd would be 0.282843), CV 0.333333, √(2 − 1) = 1.
    { name: "two nodes, population sd", loads: [0.8, 0.4], expected: 1 / 3 },
    { name: "three nodes, worked example", loads: [0.6, 0.2, 0.1], expected: LOPSIDED_IMBALANCE },
    // mean 0.25, sd √0.1875 = 0.433013, CV √3 = 1.732051: the upper bound, so 1 after / √3.
    { name: "all load on one node of four", loads: [1, 0, 0, 0], expected: 1 },
    // mean 0.5, squares 4 · 0.09 = 0.36, sd √(0.36/5) = 0.268328, CV 0.536656, / √(5 − 1) = 2 → 0.268328.
    { name: "five nodes", loads: [0.2, 0.2, 0.5, 0.8, 0.8], expected: 0.268328 },
    { name: "equal loads", loads: [0.5, 0.5, 0.5], expected: 0 },
    { name: "no load at all", loads: [0, 0, 0], expected: 0 },
    { name: "a single node", loads: [0.9], expected: 0 },
    { name: "no nodes", loads: [], expected: 0 },
  ])("$name", ({ loads, expected }) => {
    expect(nodeImbalance(loads)).toBeCloseTo(expected, 6);
  });

  it("computes node load as the mean of CPU and memory in use over capacity", () => {
    // h0: CPU 6/10 = 0.6, memory 60/100 = 0.6 → 0.6. h1: 0.2. h2: 0.1.
    expect(Array.from(nodeLoads(replayState(LOPSIDED)))).toEqual([
      expect.closeTo(0.6, 12),
      expect.closeTo(0.2, 12),
      expect.closeTo(0.1, 12),
    ]);
    // A CPU-rich host with little memory: 2 cores of 100 and 5 GiB of 10 → (0.02 + 0.5)/2 = 0.26.
    const loads = nodeLoads(
      replayState({ hosts: [{ cores: 100, memory: 10 }], vms: [{ host: 0, cpu: 2, memory: 5 }] }),
    );
    expect(loads[0]).toBeCloseTo(0.26, 12);
  });
});

describe("bestBalancingMigration: bruteforce over every VM and every other host", () => {
  it("picks the move that leaves the lowest imbalance", () => {
    const best = bestBalancingMigration(replayState(LOPSIDED));
    expect(best).toMatchObject(LOPSIDED_BEST);
    expect(best?.imbalance).toBeCloseTo(0.19245, 5);
  });

  it("leaves migrating VMs out", () => {
    // Without b, the best is a → h2: 0.2, 0.2, 0.5 → mean 0.3, squares 0.06, sd 0.141421, CV 0.471405 → 0.333333.
    const best = bestBalancingMigration(replayState({ ...LOPSIDED, migrating: [1] }));
    expect(best).toMatchObject({ vm: 0, to: 2 });
    expect(best?.imbalance).toBeCloseTo(1 / 3, 6);
  });

  /**
   * h0 (10 cores, 100 GiB): a (5, 6 GiB) + b (5, 84 GiB) → (1.0 + 0.9)/2 = 0.95.
   * h1 (100 cores, 10 GiB): e (0, 5 GiB) → (0 + 0.5)/2 = 0.25.   h2 (10, 100): f (2, 40) → 0.3.
   * Before: mean 0.5, deviations 0.45, −0.25, −0.2, squares 0.305; with three nodes sd / mean / √2 =
   * √(0.305/3) / 0.5 / √2 = √(0.305/6) / 0.5 = 0.450925.
   * a → h1: 0.67, (0.05 + 1.1)/2 = 0.575, 0.3 → √(0.07385/6) / 0.515 = 0.215423, but 5 + 6 > 10 GiB.
   * a → h2: 0.67, 0.25, (0.7 + 0.46)/2 = 0.58 → √(0.0978/6) / 0.5 = 0.255343, and 40 + 6 ≤ 100 GiB.
   */
  const TIGHT: StateSpec = {
    hosts: [{}, { cores: 100, memory: 10 }, {}],
    vms: [
      { key: "ns/a", host: 0, cpu: 5, memory: 6 },
      { key: "ns/b", host: 0, cpu: 5, memory: 84 },
      { key: "ns/e", host: 1, cpu: 0, memory: 5 },
      { key: "ns/f", host: 2, cpu: 2, memory: 40 },
    ],
  };

  it.each([
    { name: "respects memory fit by default", fitMemory: true, expected: { vm: 0, to: 2 }, imbalance: 0.255343 },
    {
      name: "scores every host without the fit, as upstream",
      fitMemory: false,
      expected: { vm: 0, to: 1 },
      imbalance: 0.215423,
    },
  ])("$name", ({ fitMemory, expected, imbalance }) => {
    expect(nodeImbalance(nodeLoads(replayState(TIGHT)))).toBeCloseTo(0.450925, 6);
    const best = bestBalancingMigration(replayState(TIGHT), fitMemory);
    expect(best).toMatchObject(expected);
    expect(best?.imbalance).toBeCloseTo(imbalance, 6);
  });

  it("lets the strategy move only to a host that fits", () => {
    expect(proxmoxAuto({ holdDuration: 1 }).decide(replayState(TIGHT))).toEqual([{ vm: 0, to: 2 }]);
    expect(proxmoxAuto({ holdDuration: 1, fitMemory: false }).decide(replayState(TIGHT))).toEqual([{ vm: 0, to: 1 }]);
  });

  it("breaks exact ties by VM key, not by index", () => {
    // Two identical VMs on h0: moving either scores the same, so the key decides ("ns/a" < "ns/z").
    const best = bestBalancingMigration(
      replayState({
        hosts: THREE,
        vms: [
          { key: "ns/z", host: 0, cpu: 2, memory: 20 },
          { key: "ns/a", host: 0, cpu: 2, memory: 20 },
          { key: "ns/m", host: 1, cpu: 1, memory: 10 },
        ],
      }),
    );
    // Loads 0.4, 0.1, 0: moving 0.2 to h2 gives 0.2, 0.1, 0.2, better than to h1 (0.2, 0.3, 0).
    expect(best).toMatchObject({ vm: 1, to: 2 });
  });

  it("breaks exact ties between targets by host name, not by index", () => {
    // h0 at 0.4 and two empty hosts: either empty host scores the same, so "alpha" (index 2) wins.
    const best = bestBalancingMigration(
      replayState({
        hosts: [{}, { name: "zeta" }, { name: "alpha" }],
        vms: [
          { host: 0, cpu: 2, memory: 20 },
          { host: 0, cpu: 2, memory: 20 },
        ],
      }),
    );
    expect(best).toMatchObject({ vm: 0, to: 2 });
  });

  it("finds none when there is nothing to move", () => {
    expect(bestBalancingMigration(replayState({ hosts: THREE, vms: [] }))).toBeUndefined();
  });

  it.each([1, 2, 3, 4, 5])("agrees with a full recomputation of every move (seed %i)", (seed) => {
    const rng = createRng(seed);
    const hosts = Array.from({ length: rng.int(3, 9) }, () => ({ cores: rng.int(8, 64), memory: rng.int(64, 512) }));
    const vms = Array.from({ length: rng.int(5, 40) }, () => ({
      host: rng.int(0, hosts.length - 1),
      cpu: rng.next() * 8,
      memory: rng.int(1, 32),
    }));
    const spec: StateSpec = { hosts, vms };
    const usedMemory = hosts.map((_, h) => vms.reduce((sum, vm) => sum + (vm.host === h ? vm.memory : 0), 0));
    let naive = Infinity;
    vms.forEach((vm, index) => {
      hosts.forEach((host, to) => {
        if (to === vm.host || (usedMemory[to] ?? 0) + vm.memory > (host.memory ?? 0)) return;
        const moved = vms.map((other, i) => (i === index ? { ...other, host: to } : other));
        naive = Math.min(naive, nodeImbalance(nodeLoads(replayState({ hosts, vms: moved }))));
      });
    });
    const best = bestBalancingMigration(replayState(spec));
    expect(best?.imbalance).toBeCloseTo(naive, 10);
    const chosen = vms.map((vm, i) => (i === best?.vm ? { ...vm, host: best.to } : vm));
    expect(nodeImbalance(nodeLoads(replayState({ hosts, vms: chosen })))).toBeCloseTo(naive, 10);
  });

  // How fast is the replay benchmark's to measure, not a test's: this one checks the result at that size.
  it("finds the move off the loaded hosts with 1,500 VMs on 800 hosts", () => {
    const rng = createRng(7);
    const hosts = Array.from({ length: 800 }, () => ({ cores: 32, memory: 256 }));
    // Everything on the first 10 hosts: CV ≈ √(800/10 − 1) ≈ 8.9 > 0.3 · √799 ≈ 8.5, so even the
    // default threshold is exceeded.
    const vms = Array.from({ length: 1_500 }, (_, i) => ({ host: i % 10, cpu: rng.next() * 0.2, memory: 1 }));
    const state = replayState({ hosts, vms });
    expect(nodeImbalance(nodeLoads(state))).toBeGreaterThan(PROXMOX_AUTO_DEFAULTS.threshold);
    const best = bestBalancingMigration(state);
    expect(best?.to).toBeGreaterThanOrEqual(10);
  });
});

describe("proxmoxAuto: the CRM round", () => {
  it("is named proxmox-auto and decides every 10 s", () => {
    const strategy = proxmoxAuto();
    expect(strategy.name).toBe("proxmox-auto");
    expect(strategy.intervalMs).toBe(10_000);
    expect(PROXMOX_AUTO_DEFAULTS).toEqual({ threshold: 0.3, holdDuration: 3, margin: 0.1, fitMemory: true });
    expect(PROXMOX_AUTO_SIMPLIFICATIONS.length).toBeGreaterThan(0);
  });

  it.each([
    {
      name: "acts on the 3rd consecutive round over the threshold, then counts again",
      specs: Array.from({ length: 7 }, () => LOPSIDED),
      moves: [0, 0, 1, 0, 0, 1, 0],
    },
    {
      name: "resets when the imbalance drops back",
      specs: [LOPSIDED, LOPSIDED, BALANCED, LOPSIDED, LOPSIDED, LOPSIDED],
      moves: [0, 0, 0, 0, 0, 1],
    },
    {
      name: "counts a round with a migration in flight neither way",
      specs: [LOPSIDED, LOPSIDED, { ...LOPSIDED, migrating: [3] }, LOPSIDED],
      moves: [0, 0, 0, 1],
    },
    // Reaching the hold resets the count even when no move passes the margin (upstream's order).
    {
      name: "resets once the hold is reached, move or not",
      specs: [STUCK, STUCK, STUCK, LOPSIDED, LOPSIDED, LOPSIDED],
      moves: [0, 0, 0, 0, 0, 1],
    },
  ])("$name", ({ specs, moves }) => {
    expect(rounds(proxmoxAuto(), specs)).toEqual(moves);
  });

  it("returns the single best move once the hold is met", () => {
    const strategy = proxmoxAuto();
    strategy.decide(replayState(LOPSIDED));
    strategy.decide(replayState(LOPSIDED));
    expect(strategy.decide(replayState(LOPSIDED))).toEqual([LOPSIDED_BEST]);
  });

  it("skips the round while any migration is in flight", () => {
    expect(proxmoxAuto({ holdDuration: 1 }).decide(replayState({ ...LOPSIDED, migrating: [2] }))).toEqual([]);
  });

  it("never acts on a balanced cluster, even with a threshold of 0", () => {
    expect(rounds(proxmoxAuto({ threshold: 0, holdDuration: 1 }), [BALANCED, BALANCED])).toEqual([0, 0]);
  });

  it("does not count an imbalance equal to the threshold (upstream's `<=`)", () => {
    const state = replayState(LOPSIDED);
    const threshold = nodeImbalance(nodeLoads(state));
    expect(proxmoxAuto({ threshold, holdDuration: 1 }).decide(state)).toEqual([]);
  });

  it.each([
    { name: "over the imbalance of LOPSIDED", threshold: 0.51, moves: 0 },
    { name: "under the imbalance of LOPSIDED", threshold: 0.5, moves: 1 },
  ])("compares against the threshold: $name", ({ threshold, moves }) => {
    expect(proxmoxAuto({ threshold, holdDuration: 1 }).decide(replayState(LOPSIDED))).toHaveLength(moves);
  });

  /**
   * h0: a (4.9, 49) + s (0.1, 1) → 0.5;  h1: b (1, 10) → 0.1;  h2: c (1.2, 12) → 0.12.
   * Before: mean 0.24, deviations 0.26, −0.14, −0.12, squares 0.1016, √(0.1016/6) / 0.24 = 0.542201.
   * Best, s → h1: 0.49, 0.11, 0.12, deviations 0.25, −0.13, −0.12, squares 0.0938 → 0.520972
   * (s → h2: 0.522082; moving a, b or c is worse). Relative: (0.542201 − 0.520972) / 0.542201 = 0.039.
   */
  const SMALL_STEP: StateSpec = {
    hosts: THREE,
    vms: [
      { key: "ns/a", host: 0, cpu: 4.9, memory: 49 },
      { key: "ns/s", host: 0, cpu: 0.1, memory: 1 },
      { key: "ns/b", host: 1, cpu: 1, memory: 10 },
      { key: "ns/c", host: 2, cpu: 1.2, memory: 12 },
    ],
  };

  it.each([
    { name: "the default 10% margin refuses a 3.9% improvement", margin: undefined, expected: [] },
    { name: "a 3% margin accepts it", margin: 0.03, expected: [{ vm: 1, to: 1 }] },
    { name: "a 4% margin still refuses it", margin: 0.04, expected: [] },
  ])("$name", ({ margin, expected }) => {
    const state = replayState(SMALL_STEP);
    expect(nodeImbalance(nodeLoads(state))).toBeCloseTo(0.542201, 6);
    expect(bestBalancingMigration(state)?.imbalance).toBeCloseTo(0.520972, 6);
    const strategy = proxmoxAuto(margin === undefined ? { holdDuration: 1 } : { holdDuration: 1, margin });
    expect(strategy.decide(state)).toEqual(expected);
  });

  it("makes no move when none improves the imbalance", () => {
    expect(bestBalancingMigration(replayState(STUCK))?.imbalance).toBeCloseTo(0.57735, 5);
    expect(rounds(proxmoxAuto(), [STUCK, STUCK, STUCK])).toEqual([0, 0, 0]);
  });
});
