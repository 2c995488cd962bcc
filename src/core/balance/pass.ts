/**
 * One balance pass over a domain: first the mandatory moves (VMs breaking a Required
 * PlacementRule), then, when the domain is out of balance or has hot spots, the best move found at
 * each step until the goal is reached, no move pays for itself, or the pass's move limit is hit.
 */
import { listed } from "../model/listed.ts";
import type { VmInfo } from "../model/cluster.ts";
import { formatBytes, formatDuration } from "../model/quantity.ts";
import { ruleViolation } from "../placement/plugins/placement-rules/index.ts";
import { ruleGroup } from "../placement/plugins/placement-rules/index.ts";
import { groupIncludes } from "../placement/vm-groups.ts";
import {
  type Candidate,
  type SearchEnv,
  type SearchStats,
  bestMove,
  costPoints,
  mayMove,
  refusedMove,
} from "./candidates.ts";
import type { MoveCost, MoveKind } from "./plan-types.ts";
import { reserveGuard } from "./reserve-guard.ts";

/** Moves the failover reserve may refuse in one pass before the search gives up (each costs a packing). */
const MAX_REFUSED = 5;

export interface DraftMove extends Candidate {
  readonly kind: MoveKind;
  readonly reasons: readonly string[];
}

export interface PassResult {
  readonly moves: DraftMove[];
  readonly outcome: string;
}

function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}

function round3(value: number): string {
  return value.toFixed(3);
}

export function describeCost(candidate: { readonly cost: MoveCost }): string {
  const { cost } = candidate;
  return `copies ${formatBytes(cost.bytes)} in about ${formatDuration(cost.durationSeconds)} with ~${Math.round(cost.downtimeMs)}ms downtime (${cost.summary})`;
}

function balanceReasons(env: SearchEnv, move: Candidate, imbalanceBefore: number): string[] {
  const { domain } = env;
  const names = env.ctx.model.nodes;
  const from = names[move.from]?.name ?? "?";
  const to = names[move.to]?.name ?? "?";
  const reasons: string[] = [];
  if (domain.overload(move.from) > 0) {
    reasons.push(
      `${from} is a hot spot: CPU ${percent(domain.utilization(move.from, "cpu"))}, memory ${percent(domain.utilization(move.from, "memory"))} (ceilings ${percent(domain.options.ceilings.cpu)} / ${percent(domain.options.ceilings.memory)})`,
    );
  }
  reasons.push(
    `imbalance ${round3(imbalanceBefore)} → ${round3(move.imbalanceAfter)} (goal ${round3(env.thresholds.goalImbalance)})`,
  );
  reasons.push(
    `${from} CPU ${percent(domain.utilization(move.from, "cpu"))} → ${percent(domain.utilization(move.from, "cpu") - domain.share(move.vm, move.from, "cpu"))}, ${to} CPU ${percent(domain.utilization(move.to, "cpu"))} → ${percent(domain.utilization(move.to, "cpu") + domain.share(move.vm, move.to, "cpu"))}`,
  );
  reasons.push(
    `gain ${move.gain.points.toFixed(1)} points against a cost of ${move.costPoints.toFixed(1)}; ${describeCost(move)}`,
  );
  return reasons;
}

function apply(env: SearchEnv, move: Candidate, kind: MoveKind, reasons: string[]): DraftMove {
  env.ctx.placement.move(move.vm, move.to);
  env.moved.add(move.vm.index);
  return { ...move, kind, reasons };
}

/** The Required rule the VM breaks where it runs now, if any. */
function brokenRule(env: SearchEnv, vm: VmInfo): string | undefined {
  const node = env.ctx.model.nodes[env.ctx.placement.nodeOf(vm.index)];
  if (!node) return undefined;
  for (const rule of env.ctx.policies.placementRules) {
    if (rule.spec.enforcement !== "Required" || !groupIncludes(ruleGroup(rule), vm)) continue;
    const violation = ruleViolation(env.ctx, rule, vm, node);
    if (violation) return violation;
  }
  return undefined;
}

/** The best-scoring feasible node for a VM that must move, whatever the balance gain. */
function bestRescue(env: SearchEnv, vm: VmInfo): Candidate | undefined {
  const from = env.ctx.placement.nodeOf(vm.index);
  const nodes = env.domain.nodes.map((index) => env.ctx.model.nodes[index]).filter((node) => node !== undefined);
  const feasible = nodes.filter((node) => !env.engine.rejection(env.ctx, vm, node));
  if (feasible.length === 0) return undefined;
  const scores = env.engine
    .score(env.ctx, vm, feasible, env.weights)
    .sort((a, b) => b.total - a.total || a.node - b.node);
  for (const score of scores) {
    const cost = env.costs.estimate(vm, from, score.node);
    if (!cost.succeeded) continue;
    const gain = env.domain.gain(vm, from, score.node);
    const charged = costPoints(env, cost);
    const imbalanceAfter = env.domain.imbalanceAfter(vm, from, score.node);
    return {
      vm,
      from,
      to: score.node,
      gain,
      cost,
      costPoints: charged,
      net: gain.points - charged,
      value: score.total,
      imbalanceAfter,
      score,
    };
  }
  return undefined;
}

/** Moves VMs that break a Required PlacementRule where they run (DRS's priority-1 moves). */
export function fixBrokenRules(env: SearchEnv): DraftMove[] {
  const moves: DraftMove[] = [];
  if (env.ctx.policies.placementRules.every((rule) => rule.spec.enforcement !== "Required")) return moves;
  for (const node of env.domain.nodes) {
    for (const index of [...env.ctx.placement.vmsOn(node)].sort((a, b) => a - b)) {
      const vm = env.ctx.model.vms[index];
      const violation = vm && !env.moved.has(index) ? brokenRule(env, vm) : undefined;
      if (!vm || !violation || env.engine.blockers(env.ctx, vm).some((b) => b.plugin !== "AntiThrash")) continue;
      const rescue = bestRescue(env, vm);
      if (rescue) moves.push(apply(env, rescue, "rule", [`breaks ${violation}`, describeCost(rescue)]));
    }
  }
  return moves;
}

/** Why the search found nothing worth doing, from what it saw. */
function whyStopped(env: SearchEnv, stats: SearchStats): string {
  if (stats.topSource === undefined) return "the domain has no node to move from";
  const top = env.ctx.model.nodes[stats.topSource]?.name ?? "?";
  // A movable VM on the top source means movableVms ≥ 1; a candidate means bestNet is set.
  if (!stats.topSourceMovable)
    return `no VM on ${top}, the node under most pressure, may move (see the blocked summary)`;
  if (stats.bestNet === undefined)
    return `no node that passes every filter would improve the balance for the movable VMs on the ${stats.sources} most loaded node(s)`;
  return `no move gains the minimum ${env.thresholds.minGain} points after its cost (the best gains ${stats.bestNet.toFixed(1)})`;
}

function hotLeft(env: SearchEnv): string {
  const hot = env.domain.hotNodes();
  if (hot.length === 0) return "";
  const names = hot.map((node) => env.ctx.model.nodes[node]?.name ?? "?");
  return `; still above a ceiling: ${listed(names, 3)}`;
}

export function balanceMoves(env: SearchEnv, limit: number): PassResult {
  const { domain, thresholds } = env;
  const moves: DraftMove[] = [];
  const hot = (): boolean => domain.hotNodes().length > 0;
  if (!thresholds.balancing) return { moves, outcome: "aggressiveness 1: only mandatory moves" };
  if (domain.imbalance() <= thresholds.triggerImbalance && !hot()) {
    return {
      moves,
      outcome: `balanced: imbalance ${round3(domain.imbalance())} is within ${round3(thresholds.triggerImbalance)} and no node is above its ceiling`,
    };
  }
  const guard = reserveGuard(env.ctx);
  const refused: string[] = [];
  const held = (): string => (refused.length === 0 ? "" : `; held back by the failover reserve: ${refused.join("; ")}`);
  while (moves.length < limit) {
    if (domain.imbalance() <= thresholds.goalImbalance && !hot()) {
      return {
        moves,
        outcome: `reached the goal: imbalance ${round3(domain.imbalance())} ≤ ${round3(thresholds.goalImbalance)}${held()}`,
      };
    }
    const before = domain.imbalance();
    const { move, stats } = bestMove(env);
    if (!move)
      return {
        moves,
        outcome: `stopped at imbalance ${round3(before)}: ${whyStopped(env, stats)}${hotLeft(env)}${held()}`,
      };
    const refusal = guard?.admit(move);
    if (refusal === undefined) {
      moves.push(apply(env, move, "balance", balanceReasons(env, move, before)));
      continue;
    }
    // The search goes on without that move; the VM may still go elsewhere.
    env.refused.add(refusedMove(move.vm, move.to));
    if (refused.push(refusal) >= MAX_REFUSED) {
      const stopped = `stopped at ${MAX_REFUSED} moves refused (imbalance ${round3(domain.imbalance())})`;
      return { moves, outcome: `${stopped}${held()}` };
    }
  }
  return {
    moves,
    outcome: `stopped at the limit of ${limit} moves per pass (imbalance ${round3(domain.imbalance())})${held()}`,
  };
}

export { mayMove };
