/**
 * explain(VM): may it move, what would its migration cost, and for every node whether it fits
 * (or every reason it does not) with the score terms of the nodes that fit. It reads the
 * snapshot as it is, before any planned move, and says what the plan does with the VM.
 */
import { Placement } from "../model/placement.ts";
import { defaultRegistry } from "../placement/default-plugins.ts";
import { PlacementEngine, type ScoreTerm } from "../placement/engine.ts";
import type { Rejection } from "../placement/framework.ts";
import { EMPTY_ANTI_THRASH, moveHistory } from "./anti-thrash.ts";
import { setUpDomain } from "./setup.ts";
import { assignDomains } from "./domains.ts";
import { migrationCosts } from "./migration-costs.ts";
import { type PlanInput, plan } from "./plan.ts";
import type { MoveCost, PlannedMove } from "./plan-types.ts";

export interface NodeVerdict {
  readonly node: string;
  readonly fits: boolean;
  readonly rejections: readonly Rejection[];
  /** For fitting nodes: the weighted score and its terms. */
  readonly score?: { readonly total: number; readonly terms: readonly ScoreTerm[] } | undefined;
  /** For fitting nodes: balance points the move would gain, and the imbalance after it. */
  readonly gainPoints?: number | undefined;
  readonly imbalanceAfter?: number | undefined;
}

export interface VmExplanation {
  readonly vm: string;
  readonly node: string;
  readonly policy: string;
  readonly movable: boolean;
  readonly blockers: readonly Rejection[];
  readonly cost: MoveCost;
  readonly planned: PlannedMove | undefined;
  readonly nodes: readonly NodeVerdict[];
}

export class UnknownVmError extends Error {}

export function explain(input: PlanInput, vmKey: string): VmExplanation {
  const { model } = input;
  const index = model.vmIndex.get(vmKey);
  const vm = index === undefined ? undefined : model.vms[index];
  if (!vm) throw new UnknownVmError(`no VM ${vmKey} in the snapshot (expected namespace/name)`);
  const { domains } = assignDomains(model, input.policies);
  const assignment = domains.find((domain) => domain.nodes.includes(vm.node)) ?? domains[0];
  if (!assignment) throw new Error("no balance domain");
  const spec = assignment.policy.spec;
  const placement = Placement.fromModel(model);
  const history = moveHistory(model, input.antiThrash ?? EMPTY_ANTI_THRASH, input.now);
  const { ctx, domain } = setUpDomain(
    { model, placement, policies: input.policies, now: input.now, history },
    assignment,
  );
  const engine = new PlacementEngine(defaultRegistry());
  const costs = migrationCosts(model, input.policies);
  const verdicts = model.nodes.map((node) => ({ node, rejections: engine.rejections(ctx, vm, node) }));
  const fitting = verdicts.filter((verdict) => verdict.rejections.length === 0).map((verdict) => verdict.node);
  const scores = new Map(engine.score(ctx, vm, fitting, spec.scoring.weights).map((score) => [score.node, score]));
  const nodes: NodeVerdict[] = verdicts.map(({ node, rejections }) => {
    const score = scores.get(node.index);
    return {
      node: node.name,
      fits: rejections.length === 0,
      rejections,
      score: score && { total: score.total, terms: score.terms },
      gainPoints: score && domain.gain(vm, vm.node, node.index).points,
      imbalanceAfter: score && domain.imbalanceAfter(vm, vm.node, node.index),
    };
  });
  nodes.sort(
    (a, b) =>
      Number(b.fits) - Number(a.fits) || (b.score?.total ?? 0) - (a.score?.total ?? 0) || (a.node < b.node ? -1 : 1),
  );
  const blockers = engine.blockers(ctx, vm);
  const cost = costs.estimate(vm, vm.node, vm.node);
  if (!cost.succeeded)
    blockers.push({ plugin: "Convergence", reason: `the migration would not complete: ${cost.summary}` });
  return {
    vm: vm.key,
    node: model.nodes[vm.node]?.name ?? "?",
    policy: assignment.policy.metadata.name,
    movable: blockers.length === 0,
    blockers,
    cost,
    planned: plan(input).moves.find((move) => move.vm === vm.key),
    nodes,
  };
}
