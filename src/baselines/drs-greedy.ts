/**
 * The DRS approach as published (Gulati et al. 2012; shared reference anchors-drs-ha-literature
 * §1.3): hill climbing, one best move at a time. Each step tries every movable VM on the most
 * loaded nodes against the least loaded feasible nodes and makes the move that lowers the
 * imbalance (standard deviation of node utilization) most, until the imbalance reaches the target.
 * It shares kubedrs' hard filters, VM checks and cost model, so the comparison is about the choice
 * of moves and nothing else.
 *
 * Simplification: on large clusters each step looks at the VMs of the SOURCES most loaded nodes
 * and the first TARGETS feasible least-loaded nodes, not at every pair; the best move almost always
 * lies there, and a full scan at 1,000 nodes would take minutes per step.
 */
import { moveHistory, EMPTY_ANTI_THRASH } from "../core/balance/anti-thrash.ts";
import { type SearchEnv, mayMove } from "../core/balance/candidates.ts";
import type { BalanceDomain } from "../core/balance/domain.ts";
import { assignDomains } from "../core/balance/domains.ts";
import { migrationCosts } from "../core/balance/migration-costs.ts";
import { setUpDomain } from "../core/balance/setup.ts";
import type { ClusterModel, VmInfo } from "../core/model/cluster.ts";
import { Placement } from "../core/model/placement.ts";
import { defaultRegistry } from "../core/placement/default-plugins.ts";
import { PlacementEngine } from "../core/placement/engine.ts";
import type { PolicySet } from "../core/policy/policy-set.ts";
import { createRng } from "../core/numeric/rng.ts";

export const GREEDY_SEARCH = { sources: 32, targets: 32 } as const;

export interface GreedyInput {
  readonly model: ClusterModel;
  readonly policies: PolicySet;
  readonly now: number;
  /** Stop once the imbalance is at or below this. */
  readonly targetImbalance: number;
  readonly maxMoves: number;
}

export interface GreedyMove {
  readonly vm: string;
  readonly from: string;
  readonly to: string;
  readonly bytes: number;
}

export interface GreedyResult {
  readonly moves: readonly GreedyMove[];
  readonly imbalanceBefore: number;
  readonly imbalanceAfter: number;
  readonly bytes: number;
}

interface Best {
  vm: VmInfo;
  from: number;
  to: number;
  after: number;
}

function weighted(domain: BalanceDomain, node: number): number {
  return domain.utilization(node, "cpu") + domain.utilization(node, "memory");
}

function bestStep(env: SearchEnv): Best | undefined {
  const { domain } = env;
  const byLoad = [...domain.nodes].sort((a, b) => weighted(domain, a) - weighted(domain, b) || a - b);
  const sources = byLoad.slice(-GREEDY_SEARCH.sources).reverse();
  let best: Best | undefined;
  for (const from of sources) {
    for (const index of env.ctx.placement.vmsOn(from)) {
      const vm = env.ctx.model.vms[index];
      if (!vm || env.moved.has(index) || !mayMove(env, vm)) continue;
      best = bestTargetFor(env, { vm, from }, byLoad, best);
    }
  }
  return best;
}

/** The best target for one VM, if it beats the best move found so far. */
function bestTargetFor(
  env: SearchEnv,
  { vm, from }: { vm: VmInfo; from: number },
  byLoad: readonly number[],
  best: Best | undefined,
): Best | undefined {
  let found = 0;
  let current = best;
  for (const to of byLoad) {
    if (found >= GREEDY_SEARCH.targets) break;
    const node = env.ctx.model.nodes[to];
    if (!node || to === from || env.engine.rejection(env.ctx, vm, node)) continue;
    found += 1;
    if (!env.costs.estimate(vm, from, to).succeeded) continue;
    const after = env.domain.imbalanceAfter(vm, from, to);
    if (!current || after < current.after - 1e-12) current = { vm, from, to, after };
  }
  return current;
}

export function drsGreedy(input: GreedyInput): GreedyResult {
  const { model } = input;
  const assignment = assignDomains(model, input.policies).domains[0];
  if (!assignment) throw new Error("no balance domain");
  const spec = assignment.policy.spec;
  const placement = Placement.fromModel(model);
  const history = moveHistory(model, EMPTY_ANTI_THRASH, input.now);
  const { ctx, domain, thresholds } = setUpDomain(
    { model, placement, policies: input.policies, now: input.now, history },
    assignment,
  );
  const env: SearchEnv = {
    engine: new PlacementEngine(defaultRegistry()),
    ctx,
    domain,
    thresholds,
    costs: migrationCosts(model, input.policies),
    weights: spec.scoring.weights,
    moved: new Set(),
    refused: new Set(),
    noteBlocked: () => undefined,
    rng: createRng(0),
  };
  const imbalanceBefore = domain.imbalance();
  const moves: GreedyMove[] = [];
  while (moves.length < input.maxMoves && domain.imbalance() > input.targetImbalance) {
    const step = bestStep(env);
    if (!step || step.after >= domain.imbalance() - 1e-12) break;
    const bytes = env.costs.estimate(step.vm, step.from, step.to).bytes;
    placement.move(step.vm, step.to);
    env.moved.add(step.vm.index);
    moves.push({
      vm: step.vm.key,
      from: model.nodes[step.from]?.name ?? "?",
      to: model.nodes[step.to]?.name ?? "?",
      bytes,
    });
  }
  return {
    moves,
    imbalanceBefore,
    imbalanceAfter: domain.imbalance(),
    bytes: moves.reduce((sum, move) => sum + move.bytes, 0),
  };
}
