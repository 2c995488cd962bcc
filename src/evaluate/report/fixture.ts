/**
 * A small but realistic ReplayReport for the renderer's tests: two PlanetLab-like days, the six
 * strategies, 288 five-minute steps a day and a 10 × 24 heat map per strategy. Deterministic: the
 * noise comes from a seeded generator, so the page is the same on every run.
 */
import type { ReplayMetrics } from "../replay-metrics.ts";
import type { HeatMap, ReplayReport, StrategyDayResult } from "../report-types.ts";

export const SAMPLE_STRATEGIES = ["none", "descheduler-lnu", "kdo-kubevirt", "proxmox-auto", "drs-greedy", "kubedrs"];
export const SAMPLE_DAYS = ["20110303", "20110306"];
export const STEPS_PER_DAY = 288;
const VMS = 1052;

/** How hard each strategy works and how even it keeps the cluster: 0 does nothing, 1 is the best here. */
const SKILL: Readonly<Record<string, { even: number; moves: number }>> = {
  none: { even: 0, moves: 0 },
  "descheduler-lnu": { even: 0.35, moves: 1 },
  "kdo-kubevirt": { even: 0.45, moves: 0.55 },
  "proxmox-auto": { even: 0.55, moves: 0.4 },
  "drs-greedy": { even: 0.75, moves: 0.3 },
  kubedrs: { even: 0.9, moves: 0.12 },
};

/** mulberry32: a seeded generator in [0, 1). */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Load through the day: low at night, a peak in the afternoon. */
function diurnal(hour: number): number {
  return 0.5 + 0.35 * Math.sin(((hour - 8) / 24) * 2 * Math.PI);
}

function skillOf(strategy: string): { even: number; moves: number } {
  return SKILL[strategy] ?? { even: 0, moves: 0 };
}

function imbalanceRow(strategy: string, dayIndex: number): number[] {
  const random = seeded(17 + dayIndex * 101 + strategy.length * 7);
  const spread = 0.17 * (1 - 0.7 * skillOf(strategy).even);
  return Array.from({ length: STEPS_PER_DAY }, (_, step) => {
    const hour = (step * 5) / 60;
    return Math.max(0, spread * (0.6 + 0.6 * diurnal(hour)) + (random() - 0.5) * 0.02);
  });
}

function vmsByMigrations(strategy: string): number[] {
  const moves = skillOf(strategy).moves;
  if (moves === 0) return [VMS];
  const tail = [0.09, 0.035, 0.015, 0.008, 0.004, 0.002, 0.001, 0.0005, 0.0003].map((share, k) =>
    Math.round(VMS * share * moves ** (1 + k / 3)),
  );
  const zero = VMS - tail.reduce((sum, count) => sum + count, 0);
  return [zero, ...tail];
}

function metricsOf(strategy: string, imbalance: readonly number[], counts: readonly number[]): ReplayMetrics {
  const { even, moves } = skillOf(strategy);
  const total = counts.reduce((sum, count, k) => sum + count * k, 0);
  const maxPerVm = counts.length - 1;
  const slatah = 0.02 * (1 - even) + 0.001;
  const pdm = 0.00004 * moves + (moves > 0 ? 0.000002 : 0);
  return {
    overload: { above80: 0.09 * (1 - 0.8 * even) + 0.004, above90: 0.045 * (1 - 0.9 * even) + 0.001 },
    meanImbalance: imbalance.reduce((sum, value) => sum + value, 0) / imbalance.length,
    migrations: {
      total,
      perVmPerDay: { max: maxPerVm, p99: maxPerVm > 2 ? 2 : maxPerVm },
      bytes: total * 3.2 * 2 ** 30,
      failedOrAborted: Math.round(total * 0.01),
    },
    pingPongs: Math.round(total * 0.03 * moves),
    slatah,
    pdm,
    slav: slatah * pdm,
    activeHostHours: 800 * 24,
  };
}

function dayResult(strategy: string, day: string, dayIndex: number): StrategyDayResult {
  const imbalance = imbalanceRow(strategy, dayIndex);
  const counts = vmsByMigrations(strategy);
  const even = skillOf(strategy).even;
  const work = strategy === "none" ? 0 : 2 + 60 * even;
  return {
    strategy,
    day,
    metrics: metricsOf(strategy, imbalance, counts),
    decisionTime: {
      decisions: strategy === "none" ? 0 : STEPS_PER_DAY,
      meanMs: work,
      p95Ms: work * 1.8,
      maxMs: work * 3,
    },
    imbalance,
    overloadedShare: imbalance.map((value) => Math.max(0, (value - 0.05) * 0.4)),
    vmsByMigrations: counts,
  };
}

function heatCells(strategy: string, rows: number, columns: number): number[][] {
  const random = seeded(5 + strategy.length);
  const even = skillOf(strategy).even;
  return Array.from({ length: rows }, (_, r) => {
    const bias = (r / (rows - 1) - 0.5) * 0.7 * (1 - even);
    return Array.from({ length: columns }, (_, c) =>
      Math.max(0, 0.12 + diurnal(c + 0.5) * 0.75 + bias + (random() - 0.5) * 0.12),
    );
  });
}

export function sampleHeatMap(strategy: string, rows = 10, columns = 24): HeatMap {
  return {
    strategy,
    day: SAMPLE_DAYS[0] ?? "",
    nodesPerRow: 80,
    stepsPerColumn: 12,
    cells: heatCells(strategy, rows, columns),
  };
}

export function sampleReport(overrides: Partial<ReplayReport> = {}): ReplayReport {
  return {
    title: "kubedrs against five baselines on two PlanetLab days",
    generatedAt: "2025-06-01T12:00:00.000Z",
    machine: { node: "v24.21.0", cpus: 16 },
    scenario: {
      name: "planetlab-800",
      description: "800 hosts (HP ProLiant G4 and G5) running 1,052 VMs whose CPU follows the PlanetLab traces.",
      hosts: 800,
      hostTypes: ["G4", "G5"],
      vmTypes: ["high-cpu", "extra-large", "small", "micro"],
      stepMinutes: 5,
    },
    days: SAMPLE_DAYS,
    strategies: SAMPLE_STRATEGIES,
    results: SAMPLE_STRATEGIES.flatMap((strategy) => SAMPLE_DAYS.map((day, i) => dayResult(strategy, day, i))),
    heatMaps: SAMPLE_STRATEGIES.map((strategy) => sampleHeatMap(strategy)),
    simplifications: {
      replay: ["Migrations take the time the pre-copy model gives; the network is never the bottleneck."],
      none: ["Nothing moves after the initial placement."],
      "descheduler-lnu": ["LowNodeUtilization on requests, evicting through the scheduler; thresholds 20% / 50%."],
      "kdo-kubevirt": ["KubeVirt's descheduler profile on actual load; soft taints are not modelled."],
      "proxmox-auto": ["Proxmox's CRS rebalance on start only, then static."],
      "drs-greedy": ["Greedy best move per pass, five moves at most, no cost-benefit."],
      kubedrs: ["The real planner with the default policy; the executor's retries are not modelled."],
    },
    goals: [
      {
        goal: "Time above 90% CPU at most half the best baseline's",
        met: true,
        detail: "0.47% vs 1.30% for drs-greedy",
      },
      { goal: "At most 2 migrations per VM per day at p99", met: true, detail: "p99 = 1" },
      { goal: "Decision time p95 under 50 ms", met: false, detail: "p95 = 101 ms" },
    ],
    twinCheck: {
      day: "20110303",
      hours: 6,
      rows: [
        { metric: "Time above 90%", replay: 0.0052, twin: 0.0058 },
        { metric: "Migrations", replay: 41, twin: 44 },
      ],
    },
    ...overrides,
  };
}
