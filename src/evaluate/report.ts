/**
 * The replay report assembled from the per-day results: the summary per strategy (mean over days),
 * the issue's goals checked against it, the heat maps of kubedrs and the best baseline, and every
 * simplification stated. Pure: the caller runs the replays and writes the files.
 */
import type { Accounting } from "./workload.ts";
import type { HeatMap, ReplayReport, StrategyDayResult } from "./report-types.ts";
import { type StrategySummary, summarizeStrategy } from "./report/summary.ts";
import { STRATEGY_SIMPLIFICATIONS } from "./strategies/index.ts";

export const STRATEGY_ORDER = ["none", "descheduler-lnu", "kdo-kubevirt", "proxmox-auto", "drs-greedy", "kubedrs"];

export const REPLAY_SIMPLIFICATIONS: readonly string[] = [
  "One core stands for 100 MIPS (CloudSim's hosts and VM types to within 1%); each vCPU requests 100m (KubeVirt's cpuAllocationRatio 10), memory requests equal guest memory (no launcher overhead), and guests use all of their memory.",
  "A VM's CPU demand is its trace sample held for the 5 minutes it covers (CloudSim interpolates linearly). Demand above a host's capacity is counted as utilization above 100%, not throttled.",
  "Strategies see each 5-minute sample one minute after it starts (metrics delay) and decide on their own cadence; node utilization is weighed by how long each placement lasted within the step.",
  "Migrations run under KubeVirt's defaults (5 per cluster, 2 outbound per node, queued beyond that) with kubedrs' pre-copy model at the hosts' 1 Gbit/s and a dirty rate of 8 MiB/s; a target without room for the requests when the migration starts fails it.",
  "Trace files are taken in name order (CloudSim lists them in directory order), VM i getting type i / ceil(n / 4).",
];

/** One summary per strategy, in the order given (the page's own summary: means over the days). */
export function summariesOf(strategies: readonly string[], results: readonly StrategyDayResult[]): StrategySummary[] {
  return strategies.map((strategy) =>
    summarizeStrategy(
      strategy,
      results.filter((result) => result.strategy === strategy),
    ),
  );
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
  const [mine, theirs] = [ours.migrationsTotal, baseline.migrationsTotal];
  const ratio = theirs === 0 ? Number.POSITIVE_INFINITY : mine / theirs;
  return {
    goal,
    met: mine <= share * theirs,
    detail: `${mine} vs ${theirs} (${Number.isFinite(ratio) ? `${(ratio * 100).toFixed(0)}%` : "baseline made none"})`,
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
      met: ours.perVmMax <= 2,
      detail: `max ${ours.perVmMax}, p99 ${ours.perVmP99.toFixed(1)} (mean over the days)`,
    },
    {
      goal: "kubedrs makes 0 ping-pongs",
      met: ours.pingPongs === 0,
      detail: `${Math.round(ours.pingPongs * ours.days)} ping-pongs`,
    },
  ];
}

/** The baseline with the least overload time above 90% (then above 80%), "none" excluded. */
export function bestBaseline(summaries: readonly StrategySummary[]): string | undefined {
  return summaries
    .filter((summary) => summary.strategy !== "kubedrs" && summary.strategy !== "none")
    .sort((a, b) => a.above90 - b.above90 || a.above80 - b.above80 || a.migrationsTotal - b.migrationsTotal)[0]
    ?.strategy;
}

const START_DESCRIPTIONS = {
  packed: "packed (each on the first host with room for its requests)",
  spread: "spread by the Kubernetes scheduler",
} as const;

const ACCOUNTING_DESCRIPTIONS = {
  cloudsim:
    "Requests count as in CloudSim: vCPUs at KubeVirt's allocation ratio and guest memory against the whole host.",
  kubernetes:
    "Requests count as in Kubernetes: each virt-launcher pod's requests, KubeVirt's overhead included, against the kubelet's allocatable.",
} as const;

export interface ReportParts {
  readonly results: readonly StrategyDayResult[];
  readonly heatMaps: readonly HeatMap[];
  readonly days: readonly string[];
  readonly strategies: readonly string[];
  readonly machine: ReplayReport["machine"];
  readonly start: "packed" | "spread";
  readonly accounting: Accounting;
  readonly generatedAt: string;
  /** The cluster, as workload.ts's scenarioFacts reads it from the scenario. */
  readonly scenario: Omit<ReplayReport["scenario"], "description"> & { readonly summary: string };
}

export function buildReport(parts: ReportParts): ReplayReport {
  const strategies = STRATEGY_ORDER.filter((name) => parts.strategies.includes(name));
  const summaries = summariesOf(strategies, parts.results);
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
      name: parts.scenario.name,
      description: `${parts.scenario.summary} VMs start ${START_DESCRIPTIONS[parts.start]}. ${ACCOUNTING_DESCRIPTIONS[parts.accounting]}`,
      hosts: parts.scenario.hosts,
      hostTypes: parts.scenario.hostTypes,
      vmTypes: parts.scenario.vmTypes,
      stepMinutes: parts.scenario.stepMinutes,
    },
    days: parts.days,
    strategies,
    results: parts.results,
    heatMaps: [...shown].sort((a, b) => Number(b.strategy === "kubedrs") - Number(a.strategy === "kubedrs")),
    simplifications: { replay: REPLAY_SIMPLIFICATIONS, ...STRATEGY_SIMPLIFICATIONS },
    goals: goalsOf(summaries),
  };
}
