/**
 * The default kube-scheduler's choice of node for a live migration's target pod, as the descheduler
 * baselines rely on it: they only evict, and KubeVirt's target pod goes wherever kube-scheduler puts it.
 * It sees requests only, never actual use. Sources: kubernetes/kubernetes pkg/scheduler (v1.34),
 * schedule_one.go (findNodesThatPassFilters, numFeasibleNodesToFind, selectHost), plugins/noderesources
 * (fit.go, least_allocated.go, balanced_allocation.go), plugins/tainttoleration, plugins/helper
 * (DefaultNormalizeScore).
 *
 * - Filter: NodeResourcesFit (CPU and memory requests fit allocatable minus what the node's pods
 *   request; one more pod fits maxPods), and the source node, which KubeVirt's required pod
 *   anti-affinity between the target pod and the source pod rules out.
 * - Sampling: kube-scheduler stops after numFeasibleNodesToFind feasible nodes (adaptive
 *   percentageOfNodesToScore: 50 − nodes/125 %, at least 5 % and 100 nodes), starting where the last
 *   search stopped (nextStartNodeIndex); the caller keeps that index in a SchedulerCursor.
 * - Scores, default weights: NodeResourcesFit LeastAllocated (cpu and memory, weight 1 each) ×1,
 *   NodeResourcesBalancedAllocation ×1, TaintToleration ×3 (intolerable PreferNoSchedule taints,
 *   normalized to 0..100 and reversed over the scored nodes). Integer arithmetic as upstream.
 * - Ties: reservoir sampling among the highest totals with the injected Rng, as selectHost does.
 */
import type { Rng } from "../core/numeric/rng.ts";
import { allocatableOf, type HostRequests, type ReplayState, type ReplayVm } from "../evaluate/replay-types.ts";

/** Where the next search for feasible nodes starts: kube-scheduler keeps it across scheduling cycles. */
export interface SchedulerCursor {
  next: number;
}

export interface ScheduleOptions {
  readonly rng: Rng;
  /** What the hosts' pods request (hostRequests(state)), computed once per decision, not per VM. */
  readonly requests: HostRequests;
  /** Requests of target pods already placed this cycle: the scheduler's cache holds them too. */
  readonly pending?: HostRequests;
  /** How many PreferNoSchedule taints the VM's pod does not tolerate on each host. */
  readonly preferNoSchedule?: (host: number) => number;
  /** Shared across calls so the search rotates over the nodes as kube-scheduler's does; starts at 0 if absent. */
  readonly cursor?: SchedulerCursor;
  /** kube-scheduler's percentageOfNodesToScore; 0 (the default) means adaptive. */
  readonly percentageOfNodesToScore?: number;
}

const MAX_NODE_SCORE = 100;
const MIN_FEASIBLE_NODES_TO_FIND = 100;
const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;
/** Default score plugin weights (pkg/scheduler/apis/config/v1/default_plugins.go). */
export const KUBE_SCHEDULER_WEIGHTS = { leastAllocated: 1, balancedAllocation: 1, taintToleration: 3 } as const;

export const KUBE_SCHEDULER_SIMPLIFICATIONS: readonly string[] = [
  "kube-scheduler filters by NodeResourcesFit and the source exclusion only (no taints with NoSchedule, node selectors or CPU-model labels in the replay).",
  "kube-scheduler scores with NodeResourcesFit (LeastAllocated), NodeResourcesBalancedAllocation and TaintToleration; the other default score plugins (InterPodAffinity, NodeAffinity, PodTopologySpread, ImageLocality) are taken to score all nodes alike for virt-launcher pods (no preferred affinities or spread constraints, the launcher image on every node).",
  "BalancedAllocation scores the balance with the pod placed, as Kubernetes up to 1.35 does; 1.36 (kubernetes/kubernetes#135573) scores the change in balance instead.",
  "Target pods of migrations still in flight are not counted on their targets (the replay state does not say where they go); those placed in the same cycle are.",
  "The search for feasible nodes runs sequentially from the cursor; kube-scheduler checks 16 nodes in parallel and may stop on a slightly different set.",
  "Requests are summed per host and rounded to millicores and bytes once, where Kubernetes rounds each pod's quantity.",
];

/** numFeasibleNodesToFind: how many feasible nodes kube-scheduler looks for before it stops searching. */
export function feasibleNodesToFind(nodes: number, percentageOfNodesToScore = 0): number {
  if (nodes < MIN_FEASIBLE_NODES_TO_FIND || percentageOfNodesToScore >= 100) return nodes;
  let percentage = percentageOfNodesToScore;
  if (percentage <= 0) {
    percentage = Math.max(50 - Math.trunc(nodes / 125), MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND);
  }
  return Math.max(Math.trunc((nodes * percentage) / 100), MIN_FEASIBLE_NODES_TO_FIND);
}

/** A host's allocatable and requested CPU (millicores) and memory (bytes), the target pod included. */
export interface Allocation {
  readonly cpu: number;
  readonly memory: number;
  readonly cpuRequested: number;
  readonly memoryRequested: number;
}

function milli(cores: number): number {
  return Math.round(cores * 1000);
}

function requestedOn(options: ScheduleOptions, host: number): { cpu: number; memory: number; pods: number } {
  const { requests, pending } = options;
  return {
    cpu: (requests.cpu[host] ?? 0) + (pending?.cpu[host] ?? 0),
    memory: (requests.memory[host] ?? 0) + (pending?.memory[host] ?? 0),
    pods: (requests.pods[host] ?? 0) + (pending?.pods[host] ?? 0),
  };
}

/** NodeResourcesFit's filter, with the pod's allocation for scoring when it fits. */
function fit(state: ReplayState, vm: ReplayVm, host: number, options: ScheduleOptions): Allocation | undefined {
  const node = state.hosts[host];
  if (!node) return undefined;
  const allocatable = allocatableOf(node);
  const used = requestedOn(options, host);
  const allocation: Allocation = {
    cpu: milli(allocatable.cpu),
    memory: Math.round(allocatable.memory),
    cpuRequested: milli(used.cpu) + milli(vm.requests.cpu),
    memoryRequested: Math.round(used.memory + vm.requests.memory),
  };
  if (used.pods + 1 > allocatable.pods) return undefined;
  // As fit.go: a resource the pod does not request never fails the filter.
  if (vm.requests.cpu > 0 && allocation.cpuRequested > allocation.cpu) return undefined;
  if (vm.requests.memory > 0 && allocation.memoryRequested > allocation.memory) return undefined;
  return allocation;
}

function leastRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

/** NodeResourcesFit's LeastAllocated score: cpu and memory with weight 1 each. */
export function leastAllocatedScore(allocation: Allocation): number {
  const cpu = leastRequestedScore(allocation.cpuRequested, allocation.cpu);
  const memory = leastRequestedScore(allocation.memoryRequested, allocation.memory);
  return Math.trunc((cpu + memory) / 2);
}

/** NodeResourcesBalancedAllocation: 100 × (1 − std of the requested fractions); with two, std = |a − b| / 2. */
export function balancedAllocationScore(allocation: Allocation): number {
  const fractions: number[] = [];
  if (allocation.cpu > 0) fractions.push(Math.min(allocation.cpuRequested / allocation.cpu, 1));
  if (allocation.memory > 0) fractions.push(Math.min(allocation.memoryRequested / allocation.memory, 1));
  const [a, b] = fractions;
  const std = a !== undefined && b !== undefined ? Math.abs((a - b) / 2) : 0;
  return Math.trunc((1 - std) * MAX_NODE_SCORE);
}

/** DefaultNormalizeScore(MaxNodeScore, reverse = true) over the scored nodes' taint counts. */
function taintScores(counts: readonly number[]): number[] {
  const max = counts.reduce((top, count) => Math.max(top, count), 0);
  if (max === 0) return counts.map(() => MAX_NODE_SCORE);
  return counts.map((count) => MAX_NODE_SCORE - Math.trunc((MAX_NODE_SCORE * count) / max));
}

interface Candidate {
  readonly host: number;
  readonly allocation: Allocation;
}

/** findNodesThatPassFilters: the first feasible nodes from the cursor on, advancing the cursor past those checked. */
function feasibleNodes(state: ReplayState, vm: number, options: ScheduleOptions): Candidate[] {
  const count = state.hosts.length;
  const wanted = feasibleNodesToFind(count, options.percentageOfNodesToScore);
  const source = state.hostOf[vm];
  const spec = state.vms[vm];
  const start = (options.cursor?.next ?? 0) % Math.max(count, 1);
  const found: Candidate[] = [];
  let checked = 0;
  while (checked < count && found.length < wanted && spec) {
    const host = (start + checked) % count;
    checked += 1;
    const allocation = host === source ? undefined : fit(state, spec, host, options);
    if (allocation) found.push({ host, allocation });
  }
  if (options.cursor && count > 0) options.cursor.next = (start + checked) % count;
  return found;
}

/** selectHost: the highest total; ties among it broken by reservoir sampling, one draw per extra tied node. */
function selectHost(hosts: readonly number[], totals: readonly number[], rng: Rng): number | undefined {
  const best = Math.max(...totals);
  let selected: number | undefined;
  let tied = 0;
  for (const [i, host] of hosts.entries()) {
    if (totals[i] !== best) continue;
    tied += 1;
    if (tied === 1 || rng.int(0, tied - 1) === 0) selected = host;
  }
  return selected;
}

/**
 * The host kube-scheduler picks for the target pod of `vm`'s live migration, or undefined when no node
 * passes the filters (the target pod stays Pending).
 */
export function scheduleTarget(state: ReplayState, vm: number, options: ScheduleOptions): number | undefined {
  const candidates = feasibleNodes(state, vm, options);
  // With one feasible node kube-scheduler skips scoring and draws nothing.
  if (candidates.length <= 1) return candidates[0]?.host;
  const taints = taintScores(candidates.map(({ host }) => options.preferNoSchedule?.(host) ?? 0));
  const totals = candidates.map(
    ({ allocation }, i) =>
      KUBE_SCHEDULER_WEIGHTS.leastAllocated * leastAllocatedScore(allocation) +
      KUBE_SCHEDULER_WEIGHTS.balancedAllocation * balancedAllocationScore(allocation) +
      KUBE_SCHEDULER_WEIGHTS.taintToleration * (taints[i] ?? 0),
  );
  return selectHost(
    candidates.map(({ host }) => host),
    totals,
    options.rng,
  );
}
