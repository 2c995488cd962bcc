/**
 * Finding the best next move in a domain: from the nodes under most pressure, the VMs whose leaving
 * helps most for what they cost, to the nodes furthest below the mean that pass every filter. Each
 * candidate carries its gain, cost and score terms so the plan can explain it.
 */
import type { NodeInfo, VmInfo } from "../model/cluster.ts";
import type { NodeScore, PlacementEngine } from "../placement/engine.ts";
import type { PlacementContext, Rejection } from "../placement/framework.ts";
import type { BalanceDomain, MoveGain } from "./domain.ts";
import type { MoveCost } from "./plan-types.ts";
import type { Thresholds } from "./thresholds.ts";
import type { Rng } from "../numeric/rng.ts";

/**
 * How wide the search looks each step; wide enough to find good moves, narrow enough for 5,000
 * nodes: the first `sources` source nodes that offer a candidate, looking at no more than
 * SOURCES_EXAMINED_PER_PRODUCTIVE times as many.
 */
export const SEARCH = { sources: 12, vmsPerSource: 10, targetsPerVm: 12, nodeChecksPerVm: 400 } as const;
const SOURCES_EXAMINED_PER_PRODUCTIVE = 2;

const GIB = 2 ** 30;
/** Soft scores scale a move's value by 70–100%: they choose among good moves, never make a bad one good. */
const SOFT_SCORE_SHARE = 0.3;

export interface CostOracle {
  estimate(vm: VmInfo, from: number, to: number): MoveCost;
}

export interface SearchEnv {
  readonly engine: PlacementEngine;
  readonly ctx: PlacementContext;
  readonly domain: BalanceDomain;
  readonly thresholds: Thresholds;
  readonly costs: CostOracle;
  readonly weights: Readonly<Record<string, number>>;
  /** VMs already moved by this plan; none moves twice. */
  readonly moved: Set<number>;
  /** Moves refused after they were picked (the failover reserve), as refusedMove keys: not offered again. */
  readonly refused: Set<string>;
  /** Records why a VM could not move (for the plan's summary). */
  readonly noteBlocked: (vm: VmInfo, rejection: Rejection) => void;
  /** Breaks exact ties, as kube-scheduler does among equally scored nodes, so no node wins by its name. */
  readonly rng: Rng;
}

export interface Candidate {
  readonly vm: VmInfo;
  readonly from: number;
  readonly to: number;
  readonly gain: MoveGain;
  readonly cost: MoveCost;
  readonly costPoints: number;
  readonly net: number;
  readonly value: number;
  readonly imbalanceAfter: number;
  readonly score: NodeScore;
}

/** What one search step reads many times: each node's deviation, the targets in order, the imbalance. */
interface Step {
  readonly deviation: Float64Array;
  readonly targets: readonly number[];
  readonly imbalance: number;
}

interface Scored {
  readonly score: NodeScore;
  readonly imbalanceBefore: number;
}

export function costPoints(env: SearchEnv, cost: MoveCost): number {
  return (env.thresholds.costPerGiB * cost.bytes) / GIB;
}

/** May the VM move at all? Cached per pass; the reason is noted once. */
export function mayMove(env: SearchEnv, vm: VmInfo): boolean {
  return env.ctx.state.memo("balance/may-move", vm.index, () => {
    const blocker = env.engine.blocker(env.ctx, vm);
    if (blocker) {
      env.noteBlocked(vm, blocker);
      return false;
    }
    const cost = env.costs.estimate(vm, vm.node, vm.node);
    if (!cost.succeeded) {
      env.noteBlocked(vm, { plugin: "Convergence", reason: `the migration would not complete: ${cost.summary}` });
      return false;
    }
    return true;
  });
}

/** Each domain node's weighted deviation, by node index: read many times a step, computed once. */
function deviations(env: SearchEnv): Float64Array {
  const deviation = new Float64Array(env.ctx.model.nodes.length);
  for (const node of env.domain.nodes) deviation[node] = env.domain.weightedDeviation(node);
  return deviation;
}

/** Domain nodes ordered as targets: furthest below the mean first, then by name. */
function rankTargets(env: SearchEnv, deviation: Float64Array): number[] {
  return [...env.domain.nodes].sort((a, b) => (deviation[a] ?? 0) - (deviation[b] ?? 0) || a - b);
}

/**
 * Domain nodes as sources, under most pressure first (hot spots, then furthest above the mean),
 * then the rest from most to least loaded: when part of a domain cannot reach the rest (another
 * CPU vendor, say), balancing within the part still helps.
 */
function rankSources(env: SearchEnv, deviation: Float64Array): number[] {
  const { domain } = env;
  const keyed = domain.nodes.map((node) => ({ node, pressure: domain.pressure(node), load: deviation[node] ?? 0 }));
  keyed.sort((a, b) => b.pressure - a.pressure || b.load - a.load || a.node - b.node);
  return keyed.map((entry) => entry.node);
}

/** What one search step saw, so a plan can say why it stopped. */
export interface SearchStats {
  /** The node under most pressure, and whether any VM on it may move. */
  topSource: number | undefined;
  topSourceMovable: boolean;
  sources: number;
  movableVms: number;
  candidates: number;
  bestNet: number | undefined;
}

/**
 * The VMs on a node worth trying, by what moving them to the coolest node would gain against what
 * they cost (an estimate: that node may not take them).
 */
function vmsWorthTrying(env: SearchEnv, source: number, coolest: number, stats: SearchStats): VmInfo[] {
  const ranked: { vm: VmInfo; value: number }[] = [];
  for (const index of env.ctx.placement.vmsOn(source)) {
    const vm = env.ctx.model.vms[index];
    if (!vm || env.moved.has(index) || !mayMove(env, vm)) continue;
    stats.movableVms += 1;
    // Leaving helps by itself when the node is well above the mean; otherwise only a move to a
    // cooler node can, so the estimate counts the coolest one.
    const alone = env.domain.gainPoints(vm, source, -1);
    const relief = alone > 0 || coolest === source ? alone : env.domain.gainPoints(vm, source, coolest);
    if (relief <= 0) continue;
    const cost = costPoints(env, env.costs.estimate(vm, source, source));
    ranked.push({ vm, value: relief - cost });
  }
  return ranked
    .sort((a, b) => b.value - a.value || a.vm.index - b.vm.index)
    .slice(0, SEARCH.vmsPerSource)
    .map((entry) => entry.vm);
}

/**
 * Up to SEARCH.targetsPerVm nodes that pass every filter and would gain from the VM, coolest
 * first. Targets come ordered by deviation, so once they are no cooler than the source nothing
 * later can gain and the scan stops.
 */
/** The key of a VM's move to a node in SearchEnv.refused. */
export function refusedMove(vm: VmInfo, target: number): string {
  return `${vm.index}>${target}`;
}

function feasibleTargets(env: SearchEnv, vm: VmInfo, source: number, step: Step): NodeInfo[] {
  const found: NodeInfo[] = [];
  const sourceLoad = step.deviation[source] ?? 0;
  let checks = 0;
  for (const target of step.targets) {
    if (found.length >= SEARCH.targetsPerVm || checks >= SEARCH.nodeChecksPerVm) break;
    if ((step.deviation[target] ?? 0) >= sourceLoad) break;
    const node = env.ctx.model.nodes[target];
    if (!node || target === source || env.refused.has(refusedMove(vm, target))) continue;
    checks += 1;
    if (env.domain.gainPoints(vm, source, target) <= 0) continue;
    if (!env.engine.rejection(env.ctx, vm, node)) found.push(node);
  }
  return found;
}

function candidate(
  env: SearchEnv,
  vm: VmInfo,
  source: number,
  { score, imbalanceBefore }: Scored,
): Candidate | undefined {
  const gain = env.domain.gain(vm, source, score.node);
  const imbalanceAfter = env.domain.imbalanceAfter(vm, source, score.node);
  // A move must lower the imbalance unless it relieves a hot spot.
  if (imbalanceAfter > imbalanceBefore + 1e-12 && gain.hotSpotPoints <= 0) return undefined;
  const cost = env.costs.estimate(vm, source, score.node);
  if (!cost.succeeded) return undefined;
  const charged = costPoints(env, cost);
  const net = gain.points - charged;
  const value = net * (1 - SOFT_SCORE_SHARE + (SOFT_SCORE_SHARE * score.total) / 100);
  return { vm, from: source, to: score.node, gain, cost, costPoints: charged, net, value, imbalanceAfter, score };
}

/** Keeps the highest value; exact ties are resolved by reservoir sampling over the seeded rng. */
class BestCandidate {
  best: Candidate | undefined;
  private ties = 0;

  offer(candidate: Candidate, rng: Rng): void {
    const best = this.best;
    if (!best || candidate.value > best.value + TIE_EPSILON) {
      this.best = candidate;
      this.ties = 1;
      return;
    }
    if (candidate.value < best.value - TIE_EPSILON) return;
    this.ties += 1;
    if (rng.int(1, this.ties) === 1) this.best = candidate;
  }
}

const TIE_EPSILON = 1e-9;

/** Offers every candidate move from one source node; returns whether it offered any. */
function searchSource(
  env: SearchEnv,
  source: number,
  step: Step,
  { found, stats }: { found: BestCandidate; stats: SearchStats },
): boolean {
  const before = stats.candidates;
  const movableBefore = stats.movableVms;
  const vms = vmsWorthTrying(env, source, step.targets[0] ?? -1, stats);
  if (stats.topSource === undefined) {
    stats.topSource = source;
    stats.topSourceMovable = stats.movableVms > movableBefore;
  }
  for (const vm of vms) {
    const nodes = feasibleTargets(env, vm, source, step);
    if (nodes.length === 0) continue;
    for (const score of env.engine.score(env.ctx, vm, nodes, env.weights)) {
      const offered = candidate(env, vm, source, { score, imbalanceBefore: step.imbalance });
      if (!offered) continue;
      stats.candidates += 1;
      stats.bestNet = Math.max(stats.bestNet ?? Number.NEGATIVE_INFINITY, offered.net);
      found.offer(offered, env.rng);
    }
  }
  return stats.candidates > before;
}

/** The best move the search finds this step (undefined when none is worth making), and what it saw. */
export function bestMove(env: SearchEnv): { move: Candidate | undefined; stats: SearchStats } {
  const deviation = deviations(env);
  const step: Step = { deviation, targets: rankTargets(env, deviation), imbalance: env.domain.imbalance() };
  const found = new BestCandidate();
  const stats: SearchStats = {
    topSource: undefined,
    topSourceMovable: false,
    sources: 0,
    movableVms: 0,
    candidates: 0,
    bestNet: undefined,
  };
  let productive = 0;
  for (const source of rankSources(env, deviation).slice(0, SEARCH.sources * SOURCES_EXAMINED_PER_PRODUCTIVE)) {
    if (productive >= SEARCH.sources) break;
    stats.sources += 1;
    if (searchSource(env, source, step, { found, stats })) productive += 1;
  }
  const best = found.best;
  return { move: best && best.net >= env.thresholds.minGain ? best : undefined, stats };
}
