/**
 * One replay run (a strategy on a day) summarized for the report: the metrics, the decision times,
 * the series the charts draw, and the heat map reduced to a drawable size.
 */
import { std } from "mathjs";
import { nearestRank } from "../core/numeric/nearest-rank.ts";
import type { ReplayRun } from "./replay.ts";
import { replayMetrics } from "./replay-metrics.ts";
import type { DecisionTime, HeatMap, StrategyDayResult } from "./report-types.ts";

export function decisionTime(milliseconds: readonly number[]): DecisionTime {
  if (milliseconds.length === 0) return { decisions: 0, meanMs: 0, p95Ms: 0, maxMs: 0 };
  return {
    decisions: milliseconds.length,
    meanMs: milliseconds.reduce((sum, value) => sum + value, 0) / milliseconds.length,
    p95Ms: nearestRank(milliseconds, 0.95),
    maxMs: Math.max(...milliseconds),
  };
}

/** How many VMs migrated exactly k times, for k = 0 … the most any VM did; failed attempts count. */
export function vmsByMigrations(run: ReplayRun): number[] {
  const perVm = new Map<string, number>();
  for (const vm of run.input.requestedCpuSeconds.keys()) perVm.set(vm, 0);
  for (const migration of run.input.migrations) perVm.set(migration.vm, (perVm.get(migration.vm) ?? 0) + 1);
  const histogram: number[] = [];
  for (const count of perVm.values()) {
    while (histogram.length <= count) histogram.push(0);
    histogram[count] = (histogram[count] ?? 0) + 1;
  }
  return histogram;
}

function stepSeries(run: ReplayRun, pick: (utilizations: readonly number[]) => number): number[] {
  return run.input.samples.map((sample) => pick(sample.nodes.filter((node) => node.active).map((n) => n.utilization)));
}

export function dayResult(strategy: string, day: string, run: ReplayRun): StrategyDayResult {
  return {
    strategy,
    day,
    metrics: replayMetrics(run.input),
    decisionTime: decisionTime(run.decisionMs),
    imbalance: stepSeries(run, (values) => (values.length === 0 ? 0 : Number(std([...values], "uncorrected")))),
    overloadedShare: stepSeries(run, (values) =>
      values.length === 0 ? 0 : values.filter((value) => value > 0.9).length / values.length,
    ),
    vmsByMigrations: vmsByMigrations(run),
  };
}

export interface HeatMapShape {
  readonly rows: number;
  readonly columns: number;
}

/** Node utilization reduced to rows × columns cells, each the highest value of its nodes and steps. */
export function heatMap(strategy: string, day: string, run: ReplayRun, shape: HeatMapShape): HeatMap {
  const steps = run.input.samples.length;
  const hosts = steps === 0 ? 0 : run.utilization.length / steps;
  const nodesPerRow = Math.max(1, Math.ceil(hosts / shape.rows));
  const stepsPerColumn = Math.max(1, Math.ceil(steps / shape.columns));
  const rows = Math.ceil(hosts / nodesPerRow);
  const columns = Math.ceil(steps / stepsPerColumn);
  const cells = Array.from({ length: rows }, () => new Array<number>(columns).fill(0));
  for (let step = 0; step < steps; step += 1) {
    const column = Math.floor(step / stepsPerColumn);
    for (let host = 0; host < hosts; host += 1) {
      const row = cells[Math.floor(host / nodesPerRow)];
      const value = run.utilization[step * hosts + host] ?? 0;
      if (row && value > (row[column] ?? 0)) row[column] = value;
    }
  }
  const rounded = cells.map((row) => row.map((value) => Math.round(value * 1000) / 1000));
  return { strategy, day, nodesPerRow, stepsPerColumn, cells: rounded };
}
