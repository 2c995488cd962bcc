/**
 * plan(snapshot model, policies, now, rng) → Plan. The balancing entry point of the core: pure,
 * deterministic, and explaining every move it makes and every VM it could not move.
 */
import { migrationLimits } from "../execute/limits.ts";
import type { ClusterModel, VmInfo } from "../model/cluster.ts";
import { LOAD_RESOURCES, type LoadResource } from "../model/load.ts";
import { Placement } from "../model/placement.ts";
import type { Rng } from "../numeric/rng.ts";
import { defaultRegistry } from "../placement/default-plugins.ts";
import { PlacementEngine } from "../placement/engine.ts";
import type { MoveHistory, Rejection } from "../placement/framework.ts";
import type { PolicySet } from "../policy/policy-set.ts";
import { type AntiThrashState, EMPTY_ANTI_THRASH, moveHistory, withDepartures } from "./anti-thrash.ts";
import type { CostOracle, SearchEnv } from "./candidates.ts";
import type { BalanceDomain } from "./domain.ts";
import { type DomainAssignment, assignDomains } from "./domains.ts";
import { migrationCosts } from "./migration-costs.ts";
import { type DraftMove, balanceMoves, fixBrokenRules } from "./pass.ts";
import type { BlockedSummary, DomainReport, Plan, PlannedMove, ResourceSummary } from "./plan-types.ts";
import { type ScheduleLimits, scheduleMoves } from "./schedule.ts";
import { setUpDomain } from "./setup.ts";

export interface PlanInput {
  readonly model: ClusterModel;
  readonly policies: PolicySet;
  /** Milliseconds since the epoch. */
  readonly now: number;
  readonly rng: Rng;
  readonly antiThrash?: AntiThrashState | undefined;
  /** Overrides every policy's maxMovesPerPass (benchmarks, what-if). */
  readonly maxMoves?: number | undefined;
}

const EXAMPLES_PER_BLOCKER = 3;

class BlockedLog {
  private readonly byPlugin = new Map<string, { count: number; examples: { vm: string; reason: string }[] }>();

  note(vm: VmInfo, rejection: Rejection): void {
    const entry = this.byPlugin.get(rejection.plugin) ?? { count: 0, examples: [] };
    entry.count += 1;
    if (entry.examples.length < EXAMPLES_PER_BLOCKER) entry.examples.push({ vm: vm.key, reason: rejection.reason });
    this.byPlugin.set(rejection.plugin, entry);
  }

  summary(): BlockedSummary[] {
    return [...this.byPlugin]
      .map(([plugin, entry]) => ({ plugin, count: entry.count, examples: entry.examples }))
      .sort((a, b) => b.count - a.count || (a.plugin < b.plugin ? -1 : 1));
  }
}

function stats(domain: BalanceDomain): Record<LoadResource, ResourceSummary> {
  return { cpu: domain.stats("cpu"), memory: domain.stats("memory") };
}

interface DomainRun {
  readonly report: DomainReport;
  readonly moves: readonly DraftMove[];
}

interface Shared {
  readonly input: PlanInput;
  readonly engine: PlacementEngine;
  readonly placement: Placement;
  readonly history: MoveHistory;
  readonly costs: CostOracle;
  readonly moved: Set<number>;
  readonly blocked: BlockedLog;
}

function runDomain(shared: Shared, assignment: DomainAssignment): DomainRun {
  const { input, placement } = shared;
  const spec = assignment.policy.spec;
  const { ctx, domain, thresholds } = setUpDomain({ ...input, placement, history: shared.history }, assignment);
  const name = (node: number): string => input.model.nodes[node]?.name ?? "?";
  const imbalanceBefore = domain.imbalance();
  const before = stats(domain);
  const hotNodesBefore = domain.hotNodes().map(name);
  const env: SearchEnv = {
    engine: shared.engine,
    ctx,
    domain,
    thresholds,
    costs: shared.costs,
    weights: spec.scoring.weights,
    moved: shared.moved,
    refused: new Set(),
    noteBlocked: (vm, rejection) => shared.blocked.note(vm, rejection),
    rng: input.rng.fork(assignment.policy.metadata.name),
  };
  const moves: DraftMove[] = [];
  let outcome = "automation is Off";
  if (spec.automation !== "Off") {
    moves.push(...fixBrokenRules(env));
    const pass = balanceMoves(env, input.maxMoves ?? spec.limits.maxMovesPerPass);
    moves.push(...pass.moves);
    outcome = pass.outcome;
  }
  const report: DomainReport = {
    policy: assignment.policy.metadata.name,
    automation: spec.automation,
    aggressiveness: spec.aggressiveness,
    nodes: assignment.nodes.length,
    triggerImbalance: thresholds.balancing ? thresholds.triggerImbalance : null,
    goalImbalance: thresholds.balancing ? thresholds.goalImbalance : null,
    imbalanceBefore,
    imbalanceAfter: domain.imbalance(),
    before,
    after: stats(domain),
    hotNodesBefore,
    hotNodesAfter: domain.hotNodes().map(name),
    moves: moves.length,
    outcome,
  };
  return { report, moves };
}

function scheduleLimits(input: PlanInput, domains: readonly DomainAssignment[]): ScheduleLimits {
  const limits = migrationLimits(
    input.model.migrationConfig,
    domains.map((domain) => domain.policy.spec.limits),
  );
  return { parallel: limits.cluster, outboundPerNode: limits.outboundPerNode, inboundPerNode: limits.inboundPerNode };
}

function weightedImbalance(reports: readonly DomainReport[], key: "imbalanceBefore" | "imbalanceAfter"): number {
  const nodes = reports.reduce((sum, report) => sum + report.nodes, 0);
  return nodes === 0 ? 0 : reports.reduce((sum, report) => sum + report[key] * report.nodes, 0) / nodes;
}

function compactTime(now: number): string {
  return new Date(now)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "z")
    .toLowerCase();
}

export function plan(input: PlanInput): Plan {
  const { model } = input;
  const placement = Placement.fromModel(model);
  const initial = placement.clone();
  const history = moveHistory(model, input.antiThrash ?? EMPTY_ANTI_THRASH, input.now);
  const { domains, warnings } = assignDomains(model, input.policies);
  const shared: Shared = {
    input,
    engine: new PlacementEngine(defaultRegistry()),
    placement,
    history,
    costs: migrationCosts(model, input.policies),
    moved: new Set(),
    blocked: new BlockedLog(),
  };
  const runs = domains.map((assignment) => runDomain(shared, assignment));
  const drafts = runs.flatMap((run) => run.moves.map((move) => ({ move, policy: run.report.policy })));
  const schedule = scheduleMoves(
    model,
    initial,
    drafts.map(({ move }) => ({
      vm: move.vm.index,
      from: move.from,
      to: move.to,
      durationSeconds: move.cost.durationSeconds,
    })),
    scheduleLimits(input, domains),
  );
  const name = (node: number): string => model.nodes[node]?.name ?? "?";
  const moves: PlannedMove[] = drafts.map(({ move, policy }, index) => ({
    vm: move.vm.key,
    from: name(move.from),
    to: name(move.to),
    kind: move.kind,
    policy,
    reasons: move.reasons,
    gain: move.gain,
    cost: { ...move.cost, points: move.costPoints },
    imbalanceAfter: move.imbalanceAfter,
    score: { total: move.score.total, terms: move.score.terms },
    wave: schedule.wave[index] ?? 0,
    dependsOn: schedule.dependsOn[index] ?? [],
  }));
  const reports = runs.map((run) => run.report);
  return {
    apiVersion: "kubedrs.io/v1alpha1",
    kind: "Plan",
    metadata: {
      name: `plan-${compactTime(input.now)}`,
      createdAt: new Date(input.now).toISOString(),
      snapshot: model.name,
    },
    imbalanceBefore: weightedImbalance(reports, "imbalanceBefore"),
    imbalanceAfter: weightedImbalance(reports, "imbalanceAfter"),
    moves,
    waves: schedule.waves,
    estimatedDurationSeconds: schedule.estimatedDurationSeconds,
    bytesToMove: moves.reduce((sum, move) => sum + move.cost.bytes, 0),
    domains: reports,
    blocked: shared.blocked.summary(),
    warnings: [...model.warnings, ...warnings],
    antiThrash: withDepartures(
      model,
      history,
      drafts.map(({ move }) => ({ vm: move.vm.index, from: move.from })),
      input.now,
    ),
  };
}

export { LOAD_RESOURCES };
