/**
 * The replay report assembled from the per-day results: the summary per strategy (mean over days),
 * the issue's goals checked against it, the heat maps of kubedrs and the best baseline, and every
 * simplification stated. Pure: the caller runs the replays and writes the files.
 */
import type { ReplayMetrics } from "./replay-metrics.ts";
import type { HeatMap, ReplayReport, StrategyDayResult } from "./report-types.ts";
import { STRATEGY_SIMPLIFICATIONS } from "./strategies/index.ts";

export const STRATEGY_ORDER = ["none", "descheduler-lnu", "kdo-kubevirt", "proxmox-auto", "drs-greedy", "kubedrs"];

export const REPLAY_SIMPLIFICATIONS: readonly string[] = [
  "One core stands for 100 MIPS (CloudSim's hosts and VM types to within 1%); each vCPU requests 100m (KubeVirt's cpuAllocationRatio 10), memory requests equal guest memory (no launcher overhead), and guests use all of their memory.",
  "A VM's CPU demand is its trace sample held for the 5 minutes it covers (CloudSim interpolates linearly). Demand above a host's capacity is counted as utilization above 100%, not throttled.",
  "Strategies see each 5-minute sample one minute after it starts (metrics delay) and decide on their own cadence; node utilization is weighed by how long each placement lasted within the step.",
  "Migrations run under KubeVirt's defaults (5 per cluster, 2 outbound per node, queued beyond that) with kubedrs' pre-copy model at the hosts' 1 Gbit/s and a dirty rate of 8 MiB/s; a target without room for the requests when the migration starts fails it.",
  "Trace files are taken in name order (CloudSim lists them in directory order), VM i getting type i / ceil(n / 4).",
];

const MEAN_METRICS = {
  above80: (metrics: ReplayMetrics) => metrics.overload.above80,
  above90: (metrics: ReplayMetrics) => metrics.overload.above90,
  meanImbalance: (metrics: ReplayMetrics) => metrics.meanImbalance,
  slatah: (metrics: ReplayMetrics) => metrics.slatah,
  pdm: (metrics: ReplayMetrics) => metrics.pdm,
  slav: (metrics: ReplayMetrics) => metrics.slav,
};

export interface StrategySummary {
  readonly strategy: string;
  readonly days: number;
  /** Means over days. */
  readonly above80: number;
  readonly above90: number;
  readonly meanImbalance: number;
  readonly slatah: number;
  readonly pdm: number;
  readonly slav: number;
  /** Totals over days. */
  readonly migrations: number;
  readonly bytes: number;
  readonly failedOrAborted: number;
  readonly pingPongs: number;
  readonly activeHostHours: number;
  /** Highest over days. */
  readonly maxPerVmPerDay: number;
  readonly p99PerVmPerDay: number;
  readonly decisionMeanMs: number;
  readonly decisionP95Ms: number;
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length;
}

function total(results: readonly StrategyDayResult[], pick: (result: StrategyDayResult) => number): number {
  return results.reduce((sum, result) => sum + pick(result), 0);
}

export function summarizeStrategy(strategy: string, results: readonly StrategyDayResult[]): StrategySummary {
  const mine = results.filter((result) => result.strategy === strategy);
  const means = Object.fromEntries(
    Object.entries(MEAN_METRICS).map(([name, pick]) => [name, mean(mine.map((result) => pick(result.metrics)))]),
  ) as Record<keyof typeof MEAN_METRICS, number>;
  return {
    strategy,
    days: mine.length,
    ...means,
    migrations: total(mine, (result) => result.metrics.migrations.total),
    bytes: total(mine, (result) => result.metrics.migrations.bytes),
    failedOrAborted: total(mine, (result) => result.metrics.migrations.failedOrAborted),
    pingPongs: total(mine, (result) => result.metrics.pingPongs),
    activeHostHours: total(mine, (result) => result.metrics.activeHostHours),
    maxPerVmPerDay: Math.max(0, ...mine.map((result) => result.metrics.migrations.perVmPerDay.max)),
    p99PerVmPerDay: Math.max(0, ...mine.map((result) => result.metrics.migrations.perVmPerDay.p99)),
    decisionMeanMs: mean(mine.map((result) => result.decisionTime.meanMs)),
    decisionP95Ms: Math.max(0, ...mine.map((result) => result.decisionTime.p95Ms)),
  };
}

export function summarize(report: Pick<ReplayReport, "strategies" | "results">): StrategySummary[] {
  return report.strategies.map((strategy) => summarizeStrategy(strategy, report.results));
}

type Goal = ReplayReport["goals"][number];

function percent(value: number): string {
  return value === 0 ? "0%" : `${(value * 100).toPrecision(2)}%`;
}

function overloadGoal(ours: StrategySummary, baselines: readonly StrategySummary[]): Goal {
  const lost = baselines.filter((baseline) => ours.above90 >= baseline.above90);
  return {
    goal: "kubedrs has lower overload time (>90% CPU) than every baseline",
    met: baselines.length > 0 && lost.length === 0,
    detail:
      `kubedrs ${percent(ours.above90)}; ` +
      baselines.map((baseline) => `${baseline.strategy} ${percent(baseline.above90)}`).join(", "),
  };
}

function migrationShareGoal(ours: StrategySummary, baseline: StrategySummary | undefined, share: number): Goal {
  const goal = `kubedrs uses ≤ ${share * 100}% of the migrations of ${baseline?.strategy ?? "?"}`;
  if (!baseline) return { goal, met: false, detail: "the baseline was not run" };
  const ratio = baseline.migrations === 0 ? Number.POSITIVE_INFINITY : ours.migrations / baseline.migrations;
  return {
    goal,
    met: ours.migrations <= share * baseline.migrations,
    detail: `${ours.migrations} vs ${baseline.migrations} (${Number.isFinite(ratio) ? `${(ratio * 100).toFixed(0)}%` : "baseline made none"})`,
  };
}

export function goalsOf(summaries: readonly StrategySummary[]): Goal[] {
  const ours = summaries.find((summary) => summary.strategy === "kubedrs");
  if (!ours) return [];
  const baselines = summaries.filter((summary) => summary.strategy !== "kubedrs" && summary.strategy !== "none");
  const named = (name: string): StrategySummary | undefined => summaries.find((summary) => summary.strategy === name);
  return [
    overloadGoal(ours, baselines),
    migrationShareGoal(ours, named("descheduler-lnu"), 0.5),
    migrationShareGoal(ours, named("drs-greedy"), 0.7),
    {
      goal: "kubedrs makes ≤ 2 migrations per VM per day (max)",
      met: ours.maxPerVmPerDay <= 2,
      detail: `max ${ours.maxPerVmPerDay}, p99 ${ours.p99PerVmPerDay}`,
    },
    { goal: "kubedrs makes 0 ping-pongs", met: ours.pingPongs === 0, detail: `${ours.pingPongs} ping-pongs` },
  ];
}

/** The baseline with the least overload time above 90% (then above 80%), "none" excluded. */
export function bestBaseline(summaries: readonly StrategySummary[]): string | undefined {
  return summaries
    .filter((summary) => summary.strategy !== "kubedrs" && summary.strategy !== "none")
    .sort((a, b) => a.above90 - b.above90 || a.above80 - b.above80 || a.migrations - b.migrations)[0]?.strategy;
}

export interface ReportParts {
  readonly results: readonly StrategyDayResult[];
  readonly heatMaps: readonly HeatMap[];
  readonly days: readonly string[];
  readonly strategies: readonly string[];
  readonly machine: ReplayReport["machine"];
  readonly start: "packed" | "spread";
  readonly generatedAt: string;
}

export function buildReport(parts: ReportParts): ReplayReport {
  const strategies = STRATEGY_ORDER.filter((name) => parts.strategies.includes(name));
  const summaries = summarize({ strategies, results: parts.results });
  const best = bestBaseline(summaries);
  const firstDay = parts.days[0];
  const shown = parts.heatMaps.filter(
    (map) => map.day === firstDay && (map.strategy === "kubedrs" || map.strategy === best),
  );
  return {
    title: "kubedrs against the rebalancers in use today: PlanetLab trace replays",
    generatedAt: parts.generatedAt,
    machine: parts.machine,
    scenario: {
      name: "planetlab-cloudsim",
      description:
        "CloudSim's data centre from Beloglazov & Buyya (2012): 800 hosts, 1,000–1,500 VMs of four types, " +
        `one per PlanetLab trace, starting ${parts.start === "packed" ? "packed (first fit by requests)" : "spread by the Kubernetes scheduler"}.`,
      hosts: 800,
      hostTypes: ["400 × HP ProLiant ML110 G4: 37 cores (3,720 MIPS), 4 GiB", "400 × G5: 53 cores (5,320 MIPS), 4 GiB"],
      vmTypes: ["25 vCPU, 870 MiB", "20 vCPU, 1,740 MiB", "10 vCPU, 1,740 MiB", "5 vCPU, 613 MiB"],
      stepMinutes: 5,
    },
    days: parts.days,
    strategies,
    results: parts.results,
    heatMaps: [...shown].sort((a, b) => Number(b.strategy === "kubedrs") - Number(a.strategy === "kubedrs")),
    simplifications: { replay: REPLAY_SIMPLIFICATIONS, ...STRATEGY_SIMPLIFICATIONS },
    goals: goalsOf(summaries),
  };
}
