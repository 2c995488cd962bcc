/**
 * OpenShift's Kube Descheduler Operator profile KubeVirtRelieveAndMigrate with its defaults: the
 * descheduler's LowNodeUtilization on one Prometheus metric per node, deviation thresholds
 * (AsymmetricLow, 0 % / 10 %), eviction limits 2 per node and 5 in all, EvictionsInBackground (an
 * eviction starts a live migration), the KubevirtMigrationAware plugin's cooldown, and the soft-tainter's
 * PreferNoSchedule taints that steer kube-scheduler. Sources: openshift/cluster-kube-descheduler-operator
 * pkg/operator/target_config_reconciler.go (kubeVirtRelieveAndMigrateProfile),
 * pkg/operator/testdata/assets/relieveAndMigrateDefaults.yaml, bindata/assets/kube-descheduler/prometheusrule.yaml,
 * pkg/softtainter/softtainter.go, vendor/…/kubevirtmigrationaware; kubernetes-sigs/descheduler
 * nodeutilization and evictions; shared reference anchors-rebalancers §1–2.
 *
 * The metric is the recording rule descheduler:node:linear_amplified_ideal_point_positive_distance:k3:avg1m
 * = clamp_max(3 × sqrt(Σ positive deviation² from the worker average), 1) over CPU utilization, CPU PSI,
 * memory utilization and memory PSI, PSI counted only where that resource's utilization exceeds 0.7.
 */
import type { Rng } from "../core/numeric/rng.ts";
import {
  type ReplayMove,
  type ReplayState,
  type ReplayStrategy,
  hostCpuUse,
  hostMemoryUse,
  hostRequests,
  type HostRequests,
  addRequests,
  emptyRequests,
} from "../evaluate/replay-types.ts";
import { evictableByHost, lowNodeUtilizationAborts } from "./descheduler-lnu.ts";
import { KUBE_SCHEDULER_SIMPLIFICATIONS, type SchedulerCursor, scheduleTarget } from "./kube-scheduler.ts";

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

export interface KdoKubevirtSettings {
  /**
   * deschedulingIntervalSeconds. The operator has no default (it refuses an unset interval); 3600 s is
   * the value of its sample KubeDescheduler CR for this profile (README.md,
   * deploy/02_kube-descheduler-operator.cr.yaml, the CSV's alm-examples).
   */
  readonly intervalMs: number;
  /** devDeviationThresholds AsymmetricLow: thresholds {MetricResource: 0}, targetThresholds {MetricResource: 10}. */
  readonly lowDeviation: number;
  readonly highDeviation: number;
  /** LowNodeUtilization evictionLimits.node: with a Prometheus metric, evictions per over-utilized node per cycle. */
  readonly evictionLimitsNode: number;
  /** The policy's maxNoOfPodsToEvictPerNode and maxNoOfPodsToEvictTotal; migrations in flight count against them. */
  readonly maxPodsToEvictPerNode: number;
  readonly maxPodsToEvictTotal: number;
  /** KubevirtMigrationAware's migrationCooldown, maxMigrationCooldown and migrationHistoryWindow. */
  readonly migrationCooldownMs: number;
  readonly maxMigrationCooldownMs: number;
  readonly migrationHistoryWindowMs: number;
}

export const KDO_KUBEVIRT_DEFAULTS: KdoKubevirtSettings = {
  intervalMs: 3600 * 1000,
  lowDeviation: 0,
  highDeviation: 10,
  evictionLimitsNode: 2,
  maxPodsToEvictPerNode: 2,
  maxPodsToEvictTotal: 5,
  migrationCooldownMs: 15 * MINUTE_MS,
  maxMigrationCooldownMs: 6 * HOUR_MS,
  migrationHistoryWindowMs: 48 * HOUR_MS,
};

/** The recording rules' constants (prometheusrule.yaml). */
const AMPLIFICATION = 3;
const PSI_UTILIZATION_GATE = 0.7;
/** The soft-tainter's PreferNoSchedule taints: overutilized nodes get both, appropriate nodes the second. */
const SOFT_TAINTS = { over: 2, appropriate: 1, under: 0 } as const;

export const KDO_KUBEVIRT_SIMPLIFICATIONS: readonly string[] = [
  "The avg1m recording rules are read from the last trace sample (one step stands for its whole interval).",
  "CPU utilization is min(1, demand / cores); CPU PSI 'some' is modelled from demand D and capacity C as 1 − C/D when D > C (at least that share of time some task waits) and 0 below capacity, where real PSI is small but not zero.",
  "Memory utilization is the guest RAM of a host's VMs over its memory; memory PSI is 0 (memory is never overcommitted here).",
  "All hosts are workers and schedulable for KubeVirt, so all take part in the averages and the classification.",
  "The soft-tainter's taints are those of the same cycle's classification; upstream it reconciles on its own timer at the same interval.",
  "All VMs have the same priority and QoS class, so each node's VMs are tried in index order.",
  "The cooldown counts only succeeded migrations (as the plugin's start-up seed from VMIMs does; its live VMI watch would also count failed ones that set an endTimestamp).",
  "When kube-scheduler finds no node for the target pod the eviction is skipped and the next VM is tried (in KubeVirt the eviction would be accepted and the migration would fail with a Pending target pod).",
  ...KUBE_SCHEDULER_SIMPLIFICATIONS,
];

export interface KdoKubevirtOptions extends Partial<KdoKubevirtSettings> {
  /** Breaks kube-scheduler's ties. */
  readonly rng: Rng;
}

function mean(values: Float64Array): number {
  return values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length;
}

/**
 * Per host, the rule's four inputs: CPU utilization, CPU PSI, memory utilization, memory PSI. PSI only
 * counts where the resource's utilization exceeds 0.7, as the rules filter throttling-induced pressure.
 */
function dimensions(state: ReplayState): Float64Array[] {
  const demand = hostCpuUse(state, 1);
  const memory = hostMemoryUse(state);
  const n = state.hosts.length;
  const cpu = new Float64Array(n);
  const cpuPressure = new Float64Array(n);
  const mem = new Float64Array(n);
  state.hosts.forEach((host, h) => {
    const d = demand[h] ?? 0;
    cpu[h] = host.cores > 0 ? Math.min(1, d / host.cores) : 0;
    // With demand above capacity, some task waits at least 1 − C/D of the time.
    const pressure = d > host.cores && d > 0 ? 1 - host.cores / d : 0;
    cpuPressure[h] = (cpu[h] ?? 0) > PSI_UTILIZATION_GATE ? pressure : 0;
    mem[h] = host.memory > 0 ? Math.min(1, (memory[h] ?? 0) / host.memory) : 0;
  });
  return [cpu, cpuPressure, mem, new Float64Array(n)];
}

/** descheduler:node:linear_amplified_ideal_point_positive_distance:k3:avg1m for each host, in [0, 1]. */
export function relieveAndMigrateMetric(state: ReplayState): Float64Array {
  const metric = new Float64Array(state.hosts.length);
  const squares = new Float64Array(state.hosts.length);
  for (const values of dimensions(state)) {
    const average = mean(values);
    values.forEach((value, h) => {
      const deviation = Math.max(0, value - average);
      squares[h] = (squares[h] ?? 0) + deviation * deviation;
    });
  }
  squares.forEach((square, h) => {
    metric[h] = Math.min(AMPLIFICATION * Math.sqrt(square), 1);
  });
  return metric;
}

export interface KdoClassification {
  /** The metric as the descheduler's Prometheus client reads it: int64(value × 100). */
  readonly usage: Int32Array;
  readonly low: number;
  readonly high: number;
  readonly under: number[];
  readonly over: number[];
}

/** assessNodesUsagesAndRelativeThresholds and the classifier: thresholds around the mean, clamped to 0..100. */
export function classifyRelieveAndMigrate(state: ReplayState, settings: KdoKubevirtSettings): KdoClassification {
  const usage = Int32Array.from(relieveAndMigrateMetric(state), (value) => Math.trunc(value * 100));
  const average = usage.length === 0 ? 0 : usage.reduce((sum, value) => sum + value, 0) / usage.length;
  const clamp = (value: number): number => Math.min(100, Math.max(0, value));
  const low = clamp(average - settings.lowDeviation);
  const high = clamp(average + settings.highDeviation);
  const under: number[] = [];
  const over: number[] = [];
  usage.forEach((value, h) => {
    if (value <= low) under.push(h);
    else if (value > high) over.push(h);
  });
  return { usage, low, high, under, over };
}

/** The soft-tainter's PreferNoSchedule taints per host; with no under-utilized node, appropriate nodes get none. */
export function softTaints(classes: KdoClassification, hosts: number): Int32Array {
  const appropriate = classes.under.length === 0 ? SOFT_TAINTS.under : SOFT_TAINTS.appropriate;
  const taints = new Int32Array(hosts).fill(appropriate);
  for (const h of classes.under) taints[h] = SOFT_TAINTS.under;
  for (const h of classes.over) taints[h] = SOFT_TAINTS.over;
  return taints;
}

export interface MigrationHistory {
  lastStart: number;
  lastEnd: number;
  ends: number[];
}

/** Each VM's completed migrations, as KubevirtMigrationAware's history and the VMI's migrationState hold them. */
function migrationHistories(state: ReplayState): Map<string, MigrationHistory> {
  const histories = new Map<string, MigrationHistory>();
  for (const record of state.migrations) {
    if (record.outcome !== "succeeded" || record.endedAt > state.now) continue;
    const history = histories.get(record.vm) ?? { lastStart: 0, lastEnd: -Infinity, ends: [] };
    history.ends.push(record.endedAt);
    if (record.endedAt >= history.lastEnd) {
      history.lastEnd = record.endedAt;
      history.lastStart = record.startedAt;
    }
    histories.set(record.vm, history);
  }
  return histories;
}

/**
 * KubevirtMigrationAware's PreEvictionFilter: max(cooldown, last migration's duration), doubled for each
 * migration beyond the first within the history window, capped.
 */
export function cooldownMs(history: MigrationHistory, now: number, settings: KdoKubevirtSettings): number {
  const count = history.ends.filter((end) => end > now - settings.migrationHistoryWindowMs).length;
  let cooldown = Math.max(settings.migrationCooldownMs, history.lastEnd - history.lastStart);
  for (let i = 1; i < count && cooldown < settings.maxMigrationCooldownMs; i += 1) cooldown *= 2;
  return Math.min(cooldown, settings.maxMigrationCooldownMs);
}

interface Cycle {
  readonly state: ReplayState;
  readonly settings: KdoKubevirtSettings;
  readonly histories: Map<string, MigrationHistory>;
  /** Evictions in background still running: the descheduler's cache counts them against the limits. */
  readonly inFlightOn: Int32Array;
  readonly requests: HostRequests;
  readonly pending: HostRequests;
  readonly preferNoSchedule: (host: number) => number;
  readonly rng: Rng;
  readonly cursor: SchedulerCursor;
  readonly moves: ReplayMove[];
}

function coolingDown(cycle: Cycle, vm: number): boolean {
  const key = cycle.state.vms[vm]?.key;
  const history = key === undefined ? undefined : cycle.histories.get(key);
  if (!history) return false;
  return cycle.state.now - history.lastEnd < cooldownMs(history, cycle.state.now, cycle.settings);
}

/** The evictor's limits (EvictPod): the total first, then the node, each counting evictions in flight. */
function limitHit(cycle: Cycle, node: number, evictedHere: number): "total" | "node" | undefined {
  const { settings } = cycle;
  if (cycle.moves.length + cycle.state.migrating.size + 1 > settings.maxPodsToEvictTotal) return "total";
  if (evictedHere + (cycle.inFlightOn[node] ?? 0) + 1 > settings.maxPodsToEvictPerNode) return "node";
  return undefined;
}

/**
 * evictPods with a metric that has no per-pod figure: no usage to subtract, so pods go until the
 * plugin's node limit (upstream stops after one pod only when the plugin has no node limit; the profile
 * sets 2). Returns false once the total limit stops the cycle.
 */
function relieve(cycle: Cycle, node: number, vms: readonly number[]): boolean {
  let evicted = 0;
  for (const vm of vms) {
    if (evicted >= cycle.settings.evictionLimitsNode) break;
    const spec = cycle.state.vms[vm];
    if (!spec || coolingDown(cycle, vm)) continue;
    const limit = limitHit(cycle, node, evicted);
    if (limit === "total") return false;
    if (limit === "node") break;
    const to = scheduleTarget(cycle.state, vm, cycle);
    if (to === undefined) continue;
    cycle.moves.push({ vm, to });
    addRequests(cycle.pending, to, spec);
    evicted += 1;
  }
  return true;
}

function settingsOf(options: KdoKubevirtOptions): KdoKubevirtSettings {
  const { rng: _rng, ...overrides } = options;
  return { ...KDO_KUBEVIRT_DEFAULTS, ...overrides };
}

/** One KubeVirtRelieveAndMigrate cycle. `cursor` carries kube-scheduler's search position across cycles. */
export function relieveAndMigrate(
  state: ReplayState,
  options: KdoKubevirtOptions,
  cursor: SchedulerCursor = { next: 0 },
): ReplayMove[] {
  const settings = settingsOf(options);
  const classes = classifyRelieveAndMigrate(state, settings);
  if (lowNodeUtilizationAborts(classes.under.length, classes.over.length, state.hosts.length)) return [];
  // continueEvictionCond before the first pod: an over-utilized node is above its target (high, truncated
  // as capNodeCapacityToThreshold does), so only the headroom can stop it; nothing is subtracted afterwards.
  const cap = Math.trunc(classes.high * 0.01 * 100);
  const headroom = classes.under.reduce((sum, h) => sum + cap - (classes.usage[h] ?? 0), 0);
  if (headroom <= 0) return [];
  const taints = softTaints(classes, state.hosts.length);
  const inFlightOn = new Int32Array(state.hosts.length);
  for (const vm of state.migrating) {
    const source = state.hostOf[vm] ?? 0;
    inFlightOn[source] = (inFlightOn[source] ?? 0) + 1;
  }
  const cycle: Cycle = {
    state,
    settings,
    histories: migrationHistories(state),
    inFlightOn,
    requests: hostRequests(state),
    pending: emptyRequests(state.hosts.length),
    preferNoSchedule: (host) => taints[host] ?? 0,
    rng: options.rng,
    cursor,
    moves: [],
  };
  const evictable = evictableByHost(state);
  const sources = [...classes.over].sort((a, b) => (classes.usage[b] ?? 0) - (classes.usage[a] ?? 0) || a - b);
  for (const node of sources) {
    if (!relieve(cycle, node, evictable[node] ?? [])) break;
  }
  return cycle.moves;
}

export function kdoKubevirt(options: KdoKubevirtOptions): ReplayStrategy {
  const cursor: SchedulerCursor = { next: 0 };
  return {
    name: "kdo-kubevirt",
    intervalMs: options.intervalMs ?? KDO_KUBEVIRT_DEFAULTS.intervalMs,
    decide: (state) => relieveAndMigrate(state, options, cursor),
  };
}
