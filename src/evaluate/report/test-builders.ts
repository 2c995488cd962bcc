/**
 * Builders for the renderer's unit tests: a day's result with every figure zero unless the test
 * says otherwise, and a report around some results.
 */
import type { ReplayMetrics } from "../replay-metrics.ts";
import type { ReplayReport, StrategyDayResult } from "../report-types.ts";

const ZERO_METRICS: ReplayMetrics = {
  overload: { above80: 0, above90: 0 },
  meanImbalance: 0,
  migrations: { total: 0, perVmPerDay: { max: 0, p99: 0 }, bytes: 0, failedOrAborted: 0 },
  pingPongs: 0,
  slatah: 0,
  pdm: 0,
  slav: 0,
  activeHostHours: 0,
};

export interface DayOverrides {
  readonly metrics?: Partial<ReplayMetrics>;
  readonly result?: Partial<Omit<StrategyDayResult, "metrics">>;
}

export function buildDayResult(strategy: string, day: string, overrides: DayOverrides = {}): StrategyDayResult {
  return {
    strategy,
    day,
    metrics: { ...ZERO_METRICS, ...overrides.metrics },
    decisionTime: { decisions: 0, meanMs: 0, p95Ms: 0, maxMs: 0 },
    imbalance: [],
    overloadedShare: [],
    vmsByMigrations: [],
    ...overrides.result,
  };
}

export function buildReport(
  results: readonly StrategyDayResult[],
  overrides: Partial<ReplayReport> = {},
): ReplayReport {
  return {
    title: "test",
    generatedAt: "2025-01-01T00:00:00.000Z",
    machine: { node: "v24.0.0", cpus: 2 },
    scenario: { name: "s", description: "d", hosts: 2, hostTypes: ["G4"], vmTypes: ["small"], stepMinutes: 5 },
    days: [...new Set(results.map((result) => result.day))],
    strategies: [...new Set(results.map((result) => result.strategy))],
    results,
    heatMaps: [],
    simplifications: {},
    goals: [],
    ...overrides,
  };
}
