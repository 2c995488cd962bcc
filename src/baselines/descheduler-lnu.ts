/**
 * The upstream descheduler's LowNodeUtilization plugin with the Helm chart's default policy, reading
 * actual use from metrics-server (metricsUtilization.source: KubernetesMetrics), with EvictionsInBackground
 * on so that evicting a virt-launcher pod starts a live migration. Sources: kubernetes-sigs/descheduler
 * pkg/framework/plugins/nodeutilization (lownodeutilization.go, nodeutilization.go, usageclients.go),
 * pkg/descheduler/metricscollector, pkg/descheduler/evictions, charts/descheduler/values.yaml; shared
 * reference anchors-rebalancers §1.
 *
 * Each cycle: classify nodes by CPU, memory and pod percentages (under-utilized: at or below
 * `thresholds` for all three; over-utilized: above `targetThresholds` for any); stop unless some node
 * is under-utilized, not all are, and some node is over-utilized; visit the over-utilized nodes by
 * usage, highest first, evicting pods until the node is no longer above its target or the
 * under-utilized nodes' summed headroom (up to their targets) runs out. Each eviction's pod use comes
 * off the source and the headroom; nothing predicts where it lands. kube-scheduler then places the
 * target pod by requests (kube-scheduler.ts).
 */
import type { Rng } from "../core/numeric/rng.ts";
import {
  type ReplayHost,
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
import { KUBE_SCHEDULER_SIMPLIFICATIONS, type SchedulerCursor, scheduleTarget } from "./kube-scheduler.ts";

export const NODE_RESOURCES = ["cpu", "memory", "pods"] as const;
export type NodeResource = (typeof NODE_RESOURCES)[number];
/** Percentages (0..100) per resource, as the policy's thresholds are written. */
export type ResourcePercentages = Readonly<Record<NodeResource, number>>;

/** The Helm chart's default LowNodeUtilization policy and its Deployment interval (charts/descheduler/values.yaml). */
export const DESCHEDULER_LNU_DEFAULTS = {
  thresholds: { cpu: 20, memory: 20, pods: 20 },
  targetThresholds: { cpu: 50, memory: 50, pods: 50 },
  intervalMs: 5 * 60_000,
} as const satisfies { thresholds: ResourcePercentages; targetThresholds: ResourcePercentages; intervalMs: number };

export const DESCHEDULER_LNU_SIMPLIFICATIONS: readonly string[] = [
  "Actual use is the last trace sample: metrics-server polled every 5 s into an EWMA with β = 0.9 keeps 0.9^60 ≈ 0.2 % of the old value after a 5-minute step, so the descheduler's figure has converged on the sample.",
  "A node's memory use is the guest RAM of its VMs; its pod count is its VM count (no other pods, no system reserve).",
  "All VMs have the same priority and QoS class, so pods are evicted in VM index order; ties in node usage keep host order.",
  "VMs with a migration in flight are skipped (upstream would re-request their eviction and count it as done).",
  "When kube-scheduler finds no node for the target pod the eviction is skipped and the next VM is tried (in KubeVirt the eviction would be accepted and the migration would fail with a Pending target pod).",
  "The chart's default policy reads requests; this baseline sets metricsUtilization to KubernetesMetrics, as the comparison is about actual load.",
  ...KUBE_SCHEDULER_SIMPLIFICATIONS,
];

export interface DeschedulerLnuOptions {
  /** Breaks kube-scheduler's ties. */
  readonly rng: Rng;
  readonly thresholds?: ResourcePercentages;
  readonly targetThresholds?: ResourcePercentages;
  readonly intervalMs?: number;
}

/** Per-host figures in native units: CPU cores, memory bytes, pods. */
type NodeFigures = Record<NodeResource, Float64Array>;

/** Each VM's CPU use at the last sample (what metrics-server reports for its pod). */
export function lastCpu(state: ReplayState, vm: number): number {
  return state.cpuHistory(vm, 1).at(-1) ?? 0;
}

/** The VMs on each host that may be evicted, in index order: those with a migration in flight may not. */
export function evictableByHost(state: ReplayState): number[][] {
  const byHost: number[][] = state.hosts.map(() => []);
  state.vms.forEach((_, vm) => {
    if (state.migrating.has(vm)) return;
    byHost[state.hostOf[vm] ?? 0]?.push(vm);
  });
  return byHost;
}

/**
 * LowNodeUtilization's early exits: nothing to do without an under-utilized node, with all nodes
 * under-utilized, or without an over-utilized one.
 */
export function lowNodeUtilizationAborts(under: number, over: number, nodes: number): boolean {
  return under === 0 || under === nodes || over === 0;
}

function capacity(host: ReplayHost, resource: NodeResource): number {
  if (resource === "cpu") return host.cores;
  return resource === "memory" ? host.memory : host.pods;
}

function percentage(use: number, total: number): number {
  return total > 0 ? (use / total) * 100 : 0;
}

/** capNodeCapacityToThreshold: capacity × threshold %, truncated to millicores, bytes or pods. */
function cappedAt(host: ReplayHost, resource: NodeResource, threshold: number): number {
  if (resource === "cpu") return Math.trunc(threshold * 0.01 * host.cores * 1000) / 1000;
  return Math.trunc(threshold * 0.01 * capacity(host, resource));
}

interface Classes {
  readonly under: number[];
  readonly over: number[];
}

interface Policy {
  readonly thresholds: ResourcePercentages;
  readonly targetThresholds: ResourcePercentages;
}

function classify(state: ReplayState, use: NodeFigures, policy: Policy): Classes {
  const under: number[] = [];
  const over: number[] = [];
  state.hosts.forEach((host, h) => {
    const pct = (resource: NodeResource): number => percentage(use[resource][h] ?? 0, capacity(host, resource));
    if (NODE_RESOURCES.every((resource) => pct(resource) <= policy.thresholds[resource])) under.push(h);
    else if (NODE_RESOURCES.some((resource) => pct(resource) > policy.targetThresholds[resource])) over.push(h);
  });
  return { under, over };
}

/** sortNodesByUsage: the raw sum of millicores, bytes and pods, highest first (memory dominates, as upstream). */
function byUsageDescending(use: NodeFigures, nodes: readonly number[]): number[] {
  const key = (h: number): number => (use.cpu[h] ?? 0) * 1000 + (use.memory[h] ?? 0) + (use.pods[h] ?? 0);
  return [...nodes].sort((a, b) => key(b) - key(a) || a - b);
}

interface Cycle {
  readonly state: ReplayState;
  readonly use: NodeFigures;
  readonly targets: ResourcePercentages;
  /** What the under-utilized nodes can still take before they reach their targets. */
  readonly headroom: Record<NodeResource, number>;
  readonly requests: HostRequests;
  readonly pending: HostRequests;
  readonly rng: Rng;
  readonly cursor: SchedulerCursor;
  readonly moves: ReplayMove[];
}

function headroomOf(
  state: ReplayState,
  use: NodeFigures,
  under: readonly number[],
  targets: ResourcePercentages,
): Record<NodeResource, number> {
  const headroom = { cpu: 0, memory: 0, pods: 0 };
  for (const h of under) {
    const host = state.hosts[h];
    if (!host) continue;
    for (const resource of NODE_RESOURCES) {
      headroom[resource] += cappedAt(host, resource, targets[resource]) - (use[resource][h] ?? 0);
    }
  }
  return headroom;
}

/** continueEvictionCond: the node is still above its target for some resource and headroom remains for all. */
function keepEvicting(cycle: Cycle, node: number, available: Record<NodeResource, number>): boolean {
  const above = NODE_RESOURCES.some((resource) => (cycle.use[resource][node] ?? 0) > available[resource]);
  return above && NODE_RESOURCES.every((resource) => cycle.headroom[resource] > 0);
}

function subtract(cycle: Cycle, node: number, vm: number): void {
  const pod: Record<NodeResource, number> = {
    cpu: lastCpu(cycle.state, vm),
    memory: cycle.state.vms[vm]?.memory ?? 0,
    pods: 1,
  };
  for (const resource of NODE_RESOURCES) {
    cycle.use[resource][node] = (cycle.use[resource][node] ?? 0) - pod[resource];
    cycle.headroom[resource] -= pod[resource];
  }
}

function relieve(cycle: Cycle, node: number, vms: readonly number[]): void {
  const host = cycle.state.hosts[node];
  if (!host) return;
  const available = {
    cpu: cappedAt(host, "cpu", cycle.targets.cpu),
    memory: cappedAt(host, "memory", cycle.targets.memory),
    pods: cappedAt(host, "pods", cycle.targets.pods),
  };
  if (!keepEvicting(cycle, node, available)) return;
  for (const vm of vms) {
    const spec = cycle.state.vms[vm];
    const to = spec && scheduleTarget(cycle.state, vm, cycle);
    // No node for the target pod: this eviction does not happen; try the next pod, as after a failed eviction.
    if (spec === undefined || to === undefined) continue;
    cycle.moves.push({ vm, to });
    addRequests(cycle.pending, to, spec);
    subtract(cycle, node, vm);
    if (!keepEvicting(cycle, node, available)) break;
  }
}

/** One LowNodeUtilization cycle. `cursor` carries kube-scheduler's search position across cycles. */
export function lowNodeUtilization(
  state: ReplayState,
  options: DeschedulerLnuOptions,
  cursor: SchedulerCursor = { next: 0 },
): ReplayMove[] {
  const policy: Policy = {
    thresholds: options.thresholds ?? DESCHEDULER_LNU_DEFAULTS.thresholds,
    targetThresholds: options.targetThresholds ?? DESCHEDULER_LNU_DEFAULTS.targetThresholds,
  };
  const requests = hostRequests(state);
  // metrics-server's node figures: CPU at the last sample (see the simplifications), guest memory, pod count.
  const use: NodeFigures = {
    cpu: hostCpuUse(state, 1),
    memory: hostMemoryUse(state),
    pods: Float64Array.from(requests.pods),
  };
  const { under, over } = classify(state, use, policy);
  if (lowNodeUtilizationAborts(under.length, over.length, state.hosts.length)) return [];
  const cycle: Cycle = {
    state,
    use,
    targets: policy.targetThresholds,
    headroom: headroomOf(state, use, under, policy.targetThresholds),
    requests,
    pending: emptyRequests(state.hosts.length),
    rng: options.rng,
    cursor,
    moves: [],
  };
  const evictable = evictableByHost(state);
  for (const node of byUsageDescending(use, over)) relieve(cycle, node, evictable[node] ?? []);
  return cycle.moves;
}

export function deschedulerLnu(options: DeschedulerLnuOptions): ReplayStrategy {
  const cursor: SchedulerCursor = { next: 0 };
  return {
    name: "descheduler-lnu",
    intervalMs: options.intervalMs ?? DESCHEDULER_LNU_DEFAULTS.intervalMs,
    decide: (state) => lowNodeUtilization(state, options, cursor),
  };
}
