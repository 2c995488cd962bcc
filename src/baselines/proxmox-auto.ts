/**
 * Proxmox VE 9.2's automatic rebalancing of HA resources, as a trace-replay baseline (shared
 * reference anchors-rebalancers §3.3). Rules as published in pve-ha-manager 5.2.0
 * (`src/PVE/HA/Manager.pm` `load_balance`) and proxmox-resource-scheduling 2.1.0
 * (`src/scheduler.rs` `calculate_node_imbalance`, `src/node.rs` `NodeStats::load`), with
 * `crs: ha=dynamic,ha-auto-rebalance=1` (auto-rebalance is off by default) and every other option at
 * its default:
 *
 * - Every CRM round (≤ 10 s), skip entirely while any migration is queued or running.
 * - Node load = (CPU in use / cores + memory in use / memory) / 2.
 * - Imbalance = the coefficient of variation of the node loads (population standard deviation,
 *   divided by n, over the mean) divided by √(n − 1); 0 for fewer than two nodes or no load at all.
 * - Act only once the imbalance has exceeded `threshold` (0.3) for `holdDuration` (3) consecutive
 *   rounds; a round at or under the threshold resets the count, and so does reaching it, whether a
 *   move follows or not.
 * - `bruteforce`: score every running, stationary resource on every other node by the imbalance
 *   after the move, the resource's usage carried over unchanged; keep the lowest; migrate it only
 *   if it lowers the imbalance by at least `margin` (0.1) relatively, (before − after) / before.
 *
 * The √(n − 1) is the CV's upper bound for n nodes (all load on one node, the rest idle): since
 * proxmox-resource-scheduling 2.1.0 the imbalance is the CV on a 0–1 scale, and the datacenter
 * config states the threshold and margin in percent (pve-cluster 9.1.6: 30 and 10). On an
 * 800-node cluster a normalised imbalance above 0.3 needs a CV above 0.3 · √799 ≈ 8.5: with k
 * equally loaded nodes and the rest idle the CV is √(n/k − 1), so the rule fires only once nearly
 * all load sits on 10 or fewer of the 800 nodes. That is the published rule, not a
 * weakening of it: Proxmox rebalances only grossly lopsided clusters, and a replay should show it.
 * (proxmox-resource-scheduling 2.0.0, shipped with pve-ha-manager 5.2.0, compared the raw CV.)
 *
 * Scoring is incremental: the loads' sum and sum of squares change on two nodes only, so each
 * candidate costs O(1) and a full scan of ~1,500 VMs × ~800 hosts takes a few tens of milliseconds.
 * Most rounds end before the scan, with the imbalance under the threshold.
 */
import {
  type ReplayHost,
  type ReplayMove,
  type ReplayState,
  type ReplayStrategy,
  hostCpuUse,
  hostMemoryUse,
} from "../evaluate/replay-types.ts";

export interface ProxmoxAutoOptions {
  /** `ha-auto-rebalance-threshold`, as a fraction: act only while the imbalance is above it. */
  readonly threshold?: number;
  /** `ha-auto-rebalance-hold-duration`: consecutive rounds above the threshold before acting. */
  readonly holdDuration?: number;
  /** `ha-auto-rebalance-margin`, as a fraction: the least relative improvement worth a migration. */
  readonly margin?: number;
  /**
   * Leave out targets whose guest memory in use plus the VM's would exceed the host's memory. Not
   * an upstream filter (see PROXMOX_AUTO_SIMPLIFICATIONS); false scores every other node, as
   * upstream does.
   */
  readonly fitMemory?: boolean;
}

/** Upstream defaults: Manager.pm `update_crs_scheduler_mode`, pve-cluster `DataCenterConfig.pm`. */
export const PROXMOX_AUTO_DEFAULTS = { threshold: 0.3, holdDuration: 3, margin: 0.1, fitMemory: true } as const;

/** The CRM's work loop runs at most every 10 s (`src/PVE/HA/CRM.pm`: `my $max_time = 10`). */
export const PROXMOX_CRM_ROUND_MS = 10_000;

/** What the replay does not model, or models differently, for the report. */
export const PROXMOX_AUTO_SIMPLIFICATIONS: readonly string[] = [
  "Every replay VM is an HA resource in state 'started'; Proxmox rebalances HA resources only, and non-HA guests would only add load.",
  "No HA rules exist in the replay: no resource bundles (strict positive resource affinity moving together), no node-affinity or negative-affinity pruning of targets; every other host is a candidate.",
  "Usage is the trace's last sample (5 minutes for PlanetLab), not the pvestatd RRD figures (about every 10 s) that ha=dynamic reads; within one trace step the ~30 CRM rounds see the same loads, so the 3-round hold is met inside a single step.",
  "Memory in use is each VM's whole guest RAM (the trace has no memory usage), and a node's CPU and memory in use are the sums over its VMs: no host OS, page cache or non-HA guests, which pvestatd's node figures include.",
  "Targets must hold the VM's guest RAM (memory in use + VM ≤ host memory); upstream rebalancing scores every other node without a capacity check. The Kubernetes requests the replay judges a move by are not looked at, as Proxmox has none.",
  "One motion at a time: a round is skipped while state.migrating (queued or running migrations) is non-empty, standing in for upstream's check of queued migrate commands and services in 'migrate' state; a failed migration simply ends, with none of the HA service state handling that follows one in Proxmox.",
  "The CRM round is a fixed 10 s (upstream: at most 10 s); no CRM failover, disarm or maintenance mode. The hold counter starts at 0, as upstream's does after a failover.",
  "Only the default method, bruteforce, is implemented (not topsis). Ties, after truncating to 15 decimals as upstream does, go to the VM key and then the target host name, in place of upstream's (sid, source, target) order.",
  "The imbalance is proxmox-resource-scheduling 2.1.0's CV / √(n − 1) (the 0–1 scale the percent options of PVE 9.2 refer to), over all replay hosts, empty ones included, as every online node counts.",
];

/** The best single migration and the imbalance it leads to. */
export interface BalancingMigration extends ReplayMove {
  readonly imbalance: number;
}

/** NodeStats::load: a host's load is the mean of its CPU and memory in use over capacity. */
export function nodeLoad(cpu: number, memory: number, host: ReplayHost): number {
  return (cpu / host.cores + memory / host.memory) / 2;
}

/** The normalised coefficient of variation of the loads (calculate_node_imbalance). */
export function nodeImbalance(loads: ArrayLike<number>): number {
  const n = loads.length;
  if (n < 2) return 0;
  let sum = 0;
  for (let i = 0; i < n; i += 1) sum += loads[i] ?? 0;
  if (sum === 0) return 0;
  const mean = sum / n;
  let squares = 0;
  for (let i = 0; i < n; i += 1) squares += ((loads[i] ?? 0) - mean) ** 2;
  return Math.sqrt(squares / n) / mean / Math.sqrt(n - 1);
}

/** CPU (cores, last sample) and guest memory (bytes) in use on each host, and its load. */
interface NodeUsage {
  readonly cpu: Float64Array;
  readonly memory: Float64Array;
  readonly load: Float64Array;
}

function nodeUsage(state: ReplayState): NodeUsage {
  const cpu = hostCpuUse(state, 1);
  const memory = hostMemoryUse(state);
  const load = new Float64Array(state.hosts.length);
  state.hosts.forEach((host, index) => {
    load[index] = nodeLoad(cpu[index] ?? 0, memory[index] ?? 0, host);
  });
  return { cpu, memory, load };
}

/** Each host's load, as the imbalance sees it. */
export function nodeLoads(state: ReplayState): Float64Array {
  return nodeUsage(state).load;
}

/**
 * One scan's per-host figures as flat arrays, so that scoring a target reads numbers only. Loads are
 * kept as deviations from a fixed reference (their mean before any move), and `sum` and `squares`
 * are the sums of those deviations and of their squares: after one move only two terms change, and
 * the mean and population variance follow in O(1), without the cancellation raw sums suffer.
 */
interface Scan {
  readonly state: ReplayState;
  readonly usage: NodeUsage;
  readonly n: number;
  /** The CV's upper bound for n nodes, √(n − 1). */
  readonly maxCv: number;
  readonly reference: number;
  readonly deviation: Float64Array;
  readonly sum: number;
  readonly squares: number;
  /** A target's load rises by cpu · cpuWeight + memory · memoryWeight (½ / cores, ½ / memory). */
  readonly cpuWeight: Float64Array;
  readonly memoryWeight: Float64Array;
  /** Guest memory a host can still take; Infinity for all without the fit filter. */
  readonly room: Float64Array;
  /** Each host's place in name order, for ties between targets. */
  readonly nameRank: Int32Array;
}

function byName(hosts: readonly ReplayHost[]): Int32Array {
  const rank = new Int32Array(hosts.length);
  hosts
    .map((host, index) => ({ name: host.name, index }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.index - b.index))
    .forEach(({ index }, order) => {
      rank[index] = order;
    });
  return rank;
}

function newScan(state: ReplayState, usage: NodeUsage, fitMemory: boolean): Scan {
  const { hosts } = state;
  const n = hosts.length;
  const reference = usage.load.reduce((total, load) => total + load, 0) / Math.max(1, n);
  const deviation = usage.load.map((load) => load - reference);
  return {
    state,
    usage,
    n,
    maxCv: Math.sqrt(Math.max(0, n - 1)),
    reference,
    deviation,
    sum: deviation.reduce((total, d) => total + d, 0),
    squares: deviation.reduce((total, d) => total + d * d, 0),
    cpuWeight: Float64Array.from(hosts, (host) => 0.5 / host.cores),
    memoryWeight: Float64Array.from(hosts, (host) => 0.5 / host.memory),
    room: Float64Array.from(hosts, (host, h) => (fitMemory ? host.memory - (usage.memory[h] ?? 0) : Infinity)),
    nameRank: byName(hosts),
  };
}

/** The source side of a VM's moves: the VM's usage and the deviation sums once it has left. */
interface Departure {
  readonly vm: number;
  readonly from: number;
  readonly cpu: number;
  readonly memory: number;
  readonly sum: number;
  readonly squares: number;
}

function departure(scan: Scan, vm: number): Departure {
  const { state, usage } = scan;
  const from = state.hostOf[vm] ?? 0;
  const host = state.hosts[from];
  const cpu = state.cpuHistory(vm, 1).at(-1) ?? 0;
  const memory = state.vms[vm]?.memory ?? 0;
  const before = scan.deviation[from] ?? 0;
  // NodeStats::remove_running_resource clamps at zero.
  const cpuLeft = Math.max(0, (usage.cpu[from] ?? 0) - cpu);
  const memoryLeft = Math.max(0, (usage.memory[from] ?? 0) - memory);
  const after = host ? nodeLoad(cpuLeft, memoryLeft, host) - scan.reference : before;
  return { vm, from, cpu, memory, sum: scan.sum + after - before, squares: scan.squares + after ** 2 - before ** 2 };
}

interface Candidate {
  readonly vm: number;
  readonly to: number;
  readonly imbalance: number;
}

/**
 * One VM's best target among the other hosts it fits on: the lowest imbalance, ties to the first
 * host name. This is node_imbalance_with_migration_candidate written out for a change on two nodes,
 * in a loop that calls nothing but on ties: helpers here made the scan two to three times slower.
 */
function bestTargetFor(scan: Scan, d: Departure): Candidate | undefined {
  const { n, maxCv, reference, deviation, cpuWeight, memoryWeight, room } = scan;
  const { from, cpu, memory, sum, squares } = d;
  let bestTo = -1;
  let bestImbalance = Infinity;
  for (let to = 0; to < n; to += 1) {
    if (to === from || memory > (room[to] ?? 0)) continue;
    const before = deviation[to] ?? 0;
    const after = before + cpu * (cpuWeight[to] ?? 0) + memory * (memoryWeight[to] ?? 0);
    const shift = (sum + after - before) / n;
    const variance = Math.max(0, (squares + after * after - before * before) / n - shift * shift);
    // ScoredMigration::new keeps f64::DIGITS (15) decimals, so rounding noise does not decide ties.
    const imbalance = Math.trunc((Math.sqrt(variance) / (reference + shift) / maxCv) * 1e15) / 1e15;
    if (imbalance < bestImbalance || (imbalance === bestImbalance && earlierName(scan, to, bestTo))) {
      bestTo = to;
      bestImbalance = imbalance;
    }
  }
  return bestTo < 0 ? undefined : { vm: d.vm, to: bestTo, imbalance: bestImbalance };
}

function earlierName(scan: Scan, host: number, other: number): boolean {
  return (scan.nameRank[host] ?? 0) < (scan.nameRank[other] ?? 0);
}

/** Upstream orders equal imbalances by (sid, source, target): between VMs, the lower key wins. */
function better(state: ReplayState, candidate: Candidate | undefined, best: Candidate | undefined): boolean {
  if (!candidate) return false;
  if (!best || candidate.imbalance !== best.imbalance) return !best || candidate.imbalance < best.imbalance;
  return (state.vms[candidate.vm]?.key ?? "") < (state.vms[best.vm]?.key ?? "");
}

function scanAll(state: ReplayState, usage: NodeUsage, fitMemory: boolean): BalancingMigration | undefined {
  const scan = newScan(state, usage, fitMemory);
  let best: Candidate | undefined;
  for (let vm = 0; vm < state.vms.length; vm += 1) {
    if (state.migrating.has(vm)) continue;
    const candidate = bestTargetFor(scan, departure(scan, vm));
    if (better(state, candidate, best)) best = candidate;
  }
  return best;
}

/**
 * select_best_balancing_migration with `bruteforce`: the single move of a running, non-migrating VM
 * to another host that leaves the lowest imbalance, whether or not it improves on the current one.
 */
export function bestBalancingMigration(
  state: ReplayState,
  fitMemory: boolean = PROXMOX_AUTO_DEFAULTS.fitMemory,
): BalancingMigration | undefined {
  return scanAll(state, nodeUsage(state), fitMemory);
}

/**
 * The strategy. Its only state is the count of consecutive rounds above the threshold
 * (upstream's `sustained_imbalance_round`): reset when a round's imbalance is at or under the
 * threshold and whenever the count reaches `holdDuration`; left alone in rounds skipped because a
 * migration is in flight. Create one strategy per replay.
 */
export function proxmoxAuto(options: ProxmoxAutoOptions = {}): ReplayStrategy {
  const { threshold, holdDuration, margin, fitMemory } = { ...PROXMOX_AUTO_DEFAULTS, ...options };
  let sustainedRounds = 0;
  return {
    name: "proxmox-auto",
    intervalMs: PROXMOX_CRM_ROUND_MS,
    decide(state: ReplayState): readonly ReplayMove[] {
      if (state.migrating.size > 0) return [];
      const usage = nodeUsage(state);
      const imbalance = nodeImbalance(usage.load);
      // `<=`, so that a perfectly balanced cluster never triggers with a threshold of 0.
      if (imbalance <= threshold) {
        sustainedRounds = 0;
        return [];
      }
      sustainedRounds += 1;
      if (sustainedRounds < holdDuration) return [];
      sustainedRounds = 0;
      const best = scanAll(state, usage, fitMemory);
      if (!best || (imbalance - best.imbalance) / imbalance < margin) return [];
      return [{ vm: best.vm, to: best.to }];
    },
  };
}
