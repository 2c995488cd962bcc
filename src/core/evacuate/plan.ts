/**
 * planEvacuation(model, policies, now, nodes) → EvacuationPlan: vSphere's maintenance mode as a pure
 * function. The nodes are taken as cordoned; every VM on them gets a target at once, biggest first,
 * each to the node that keeps its balance domain most even among those every hard rule allows
 * (soft rules break near-ties), so the cluster is balanced when the node is empty. VMs that cannot
 * live-migrate are listed with every reason and the MaintenancePolicy's action before anything
 * moves. The moves are then ordered longest first under KubeVirt's migration limits, which gives
 * the ETA and the lower bound it is measured against.
 */
import { describeCost } from "../balance/pass.ts";
import type { BalanceDomain } from "../balance/domain.ts";
import { domainFor } from "../balance/setup.ts";
import { type DomainAssignment, assignDomains } from "../balance/domains.ts";
import { migrationCosts } from "../balance/migration-costs.ts";
import type { CostOracle } from "../balance/candidates.ts";
import type { MoveCost, PlannedMove } from "../balance/plan-types.ts";
import type { ClusterModel, NodeInfo, VmInfo } from "../model/cluster.ts";
import { Placement } from "../model/placement.ts";
import { formatDuration } from "../model/quantity.ts";
import type { Rng } from "../numeric/rng.ts";
import { createPlacementContext } from "../placement/context.ts";
import { defaultRegistry } from "../placement/default-plugins.ts";
import { type NodeScore, PlacementEngine } from "../placement/engine.ts";
import { migrationBlockers } from "../placement/plugins/live-migratable/index.ts";
import { summarizeRejections } from "../placement/rejection-summary.ts";
import type { PlacementContext, Rejection } from "../placement/framework.ts";
import { type PolicySet, primaryBalancePolicy } from "../policy/policy-set.ts";
import { maintenancePolicyFor, unmigratableAction } from "./actions.ts";
import { withMaintenance } from "./request.ts";
import { timeEvacuation } from "./timeline.ts";
import type { EvacuationBlocker, EvacuationPlan } from "./types.ts";

export interface EvacuationInput {
  readonly model: ClusterModel;
  readonly policies: PolicySet;
  /** Milliseconds since the epoch. */
  readonly now: number;
  /** Node name → why it is evacuated ("kubedrs evacuate", "NodeMaintenance m1: firmware"). */
  readonly nodes: ReadonlyMap<string, string>;
  readonly rng: Rng;
  /** Per VM, targets its migrations already failed to: the plan picks another. */
  readonly avoid?: ReadonlyMap<string, readonly string[]>;
}

/**
 * Seconds a migration holds its slot before copying: KubeVirt starts the target pod and prepares
 * the target (the twin measures 3.9 s on average; real clusters take 5–15 s). Counted in the ETA.
 */
const MIGRATION_SETUP_SECONDS = 5;

/** Targets whose balance gain is within this many points of the best are near-ties that soft rules decide. */
const NEAR_TIE_POINTS = 1;

interface Setup {
  readonly model: ClusterModel;
  readonly ctx: PlacementContext;
  readonly engine: PlacementEngine;
  readonly costs: CostOracle;
  readonly domains: readonly { readonly assignment: DomainAssignment; readonly domain: BalanceDomain }[];
  readonly domainOf: ReadonlyMap<number, BalanceDomain>;
  readonly rng: Rng;
  readonly avoid: ReadonlyMap<string, readonly string[]>;
}

function setUp(input: EvacuationInput): Setup {
  const model = withMaintenance(input.model, input.nodes);
  const placement = Placement.fromModel(model);
  const balance = primaryBalancePolicy(input.policies).spec;
  const ctx = createPlacementContext({
    model,
    placement,
    policies: input.policies,
    balance,
    purpose: "evacuate",
    now: input.now,
  });
  const domains = assignDomains(model, input.policies).domains.map((assignment) => ({
    assignment,
    domain: domainFor(assignment, placement, ctx.load),
  }));
  const domainOf = new Map(domains.flatMap(({ domain }) => domain.nodes.map((node) => [node, domain] as const)));
  const engine = new PlacementEngine(defaultRegistry());
  const costs = migrationCosts(model, input.policies);
  return { model, ctx, engine, costs, domains, domainOf, rng: input.rng, avoid: input.avoid ?? new Map() };
}

interface Target {
  readonly node: number;
  readonly gain: number;
  readonly score: NodeScore;
  readonly cost: MoveCost;
}

/** "no node can take it: 5 × NodeAffinity (…); 2 × ResourcesFit (…)", the commonest first. */
function noTargetReason(rejections: readonly Rejection[]): Rejection {
  return { plugin: "NoFeasibleTarget", reason: `no node can take it: ${summarizeRejections(rejections) ?? "no node"}` };
}

/** The nodes every filter allows, each with its balance gain and soft score; or why none does. */
function feasibleTargets(setup: Setup, vm: VmInfo, from: number): { targets: Target[]; none?: Rejection } {
  const fitting: NodeInfo[] = [];
  const rejections: Rejection[] = [];
  const avoid = setup.avoid.get(vm.key) ?? [];
  for (const node of setup.model.nodes) {
    const rejection = avoid.includes(node.name)
      ? { plugin: "FailedBefore", reason: `a migration of this VM to ${node.name} failed` }
      : setup.engine.rejection(setup.ctx, vm, node);
    if (rejection) rejections.push(rejection);
    else fitting.push(node);
  }
  if (fitting.length === 0) return { targets: [], none: noTargetReason(rejections) };
  const scores = setup.engine.score(setup.ctx, vm, fitting, setup.ctx.balance.scoring.weights);
  const targets = scores.map((score) => ({
    node: score.node,
    gain: setup.domainOf.get(score.node)?.gainPoints(vm, from, score.node) ?? Number.NEGATIVE_INFINITY,
    score,
    cost: setup.costs.estimate(vm, from, score.node),
  }));
  return { targets };
}

/** Best balance gain; near-ties by soft score; exact ties at random (seeded), as kube-scheduler does. */
function chooseTarget(setup: Setup, targets: readonly Target[]): Target | undefined {
  const converging = targets.filter((target) => target.cost.succeeded);
  const best = Math.max(...converging.map((target) => target.gain));
  const near = converging.filter((target) => target.gain >= best - NEAR_TIE_POINTS);
  const top = Math.max(...near.map((target) => target.score.total));
  const tied = near.filter((target) => target.score.total === top);
  return tied.length > 1 ? setup.rng.pick(tied) : tied[0];
}

function vmsOn(setup: Setup, nodes: readonly number[]): VmInfo[] {
  const vms = nodes.flatMap((node) => [...setup.ctx.placement.vmsOn(node)]).map((index) => setup.model.vms[index]);
  return vms
    .filter((vm): vm is VmInfo => vm !== undefined)
    .sort((a, b) => b.guestMemory - a.guestMemory || (a.key < b.key ? -1 : 1));
}

function imbalance(setup: Setup): number {
  const nodes = setup.domains.reduce((sum, { domain }) => sum + domain.nodes.length, 0);
  const weighted = setup.domains.reduce((sum, { domain }) => sum + domain.imbalance() * domain.nodes.length, 0);
  return nodes === 0 ? 0 : weighted / nodes;
}

function plannedMove(setup: Setup, vm: VmInfo, target: Target, why: { reason: string; policy: string }): PlannedMove {
  const from = setup.model.nodes[vm.node]?.name ?? "?";
  const to = setup.model.nodes[target.node]?.name ?? "?";
  const domain = setup.domainOf.get(target.node);
  const imbalanceAfter = domain?.imbalanceAfter(vm, vm.node, target.node) ?? 0;
  return {
    vm: vm.key,
    from,
    to,
    kind: "evacuate",
    policy: why.policy,
    reasons: [
      `evacuating ${from}: ${why.reason}`,
      `${to} keeps its balance domain most even among the nodes every hard rule allows (imbalance after: ${imbalanceAfter.toFixed(3)})`,
      describeCost(target),
    ],
    gain: { points: target.gain, byResource: { cpu: 0, memory: 0 }, hotSpotPoints: 0 },
    cost: { ...target.cost, points: 0 },
    imbalanceAfter,
    score: { total: target.score.total, terms: target.score.terms },
    wave: 0,
    dependsOn: [],
  };
}

/** The engine's blockers, with every reason the VM cannot live-migrate rather than the first. */
function everyBlocker(setup: Setup, vm: VmInfo): Rejection[] {
  return setup.engine
    .blockers(setup.ctx, vm)
    .flatMap((blocker) =>
      blocker.plugin === "LiveMigratable"
        ? migrationBlockers(vm).map((reason) => ({ plugin: blocker.plugin, reason }))
        : [blocker],
    );
}

interface Decided {
  readonly moves: PlannedMove[];
  readonly blockers: EvacuationBlocker[];
  readonly inFlight: string[];
}

function decide(setup: Setup, input: EvacuationInput, nodes: readonly number[]): Decided {
  const decided: Decided = { moves: [], blockers: [], inFlight: [] };
  for (const vm of vmsOn(setup, nodes)) {
    const node = setup.model.nodes[vm.node];
    if (!node) continue;
    const blockers = everyBlocker(setup, vm);
    if (blockers.some((blocker) => blocker.plugin === "MigrationInFlight")) {
      decided.inFlight.push(vm.key);
      continue;
    }
    const found = blockers.length === 0 ? feasibleTargets(setup, vm, vm.node) : { targets: [] };
    const target = chooseTarget(setup, found.targets);
    const policy = maintenancePolicyFor(input.policies, node);
    if (target) {
      const why = { reason: input.nodes.get(node.name) ?? "maintenance", policy: policy?.metadata.name ?? "default" };
      decided.moves.push(plannedMove(setup, vm, target, why));
      setup.ctx.placement.move(vm, target.node);
      continue;
    }
    const reasons = [...blockers, ...(found.none ? [found.none] : []), ...convergenceReason(found.targets)];
    decided.blockers.push({ vm: vm.key, node: node.name, reasons, ...unmigratableAction(policy, vm) });
  }
  return decided;
}

/** When every node fits but no migration to any of them would complete. */
function convergenceReason(targets: readonly Target[]): Rejection[] {
  const first = targets[0];
  if (!first || targets.some((target) => target.cost.succeeded)) return [];
  return [{ plugin: "Convergence", reason: `the migration would not complete: ${first.cost.summary}` }];
}

export function planEvacuation(input: EvacuationInput): EvacuationPlan {
  const setup = setUp(input);
  const nodes = [...input.nodes.keys()]
    .map((name) => setup.model.nodeIndex.get(name))
    .filter((index): index is number => index !== undefined);
  const imbalanceBefore = imbalance(setup);
  const decided = decide(setup, input, nodes);
  const caps = setup.model.migrationConfig;
  const estimate = timeEvacuation(
    decided.moves.map((move) => ({
      vm: move.vm,
      from: move.from,
      to: move.to,
      seconds: move.cost.durationSeconds,
      bytes: move.cost.bytes,
    })),
    {
      parallel: Math.max(1, caps.parallelMigrationsPerCluster),
      outboundPerNode: Math.max(1, caps.parallelOutboundMigrationsPerNode),
      inboundPerNode: Math.max(1, caps.parallelMigrationsPerCluster),
    },
    MIGRATION_SETUP_SECONDS,
  );
  const order = new Map(estimate.timeline.map((timed, index) => [timed.vm, index]));
  const moves = [...decided.moves].sort((a, b) => (order.get(a.vm) ?? 0) - (order.get(b.vm) ?? 0));
  const firstPolicy = nodes.map((node) => setup.model.nodes[node]).find((node) => node !== undefined);
  return {
    apiVersion: "kubedrs.io/v1alpha1",
    kind: "EvacuationPlan",
    metadata: {
      name: `evacuate-${[...input.nodes.keys()].join("-")}`,
      createdAt: new Date(input.now).toISOString(),
      snapshot: input.model.name,
    },
    nodes: [...input.nodes.keys()],
    maintenancePolicy: (firstPolicy && maintenancePolicyFor(input.policies, firstPolicy)?.metadata.name) ?? "default",
    moves,
    inFlight: decided.inFlight,
    blockers: decided.blockers,
    estimate,
    imbalanceBefore,
    imbalanceAfter: imbalance(setup),
    readyAfterMoves: decided.blockers.every((blocker) => blocker.action !== "Block"),
  };
}

/** "ETA 8m20s (lower bound 7m55s)" */
export function describeEta(plan: EvacuationPlan): string {
  return `ETA ${formatDuration(plan.estimate.etaSeconds)} (lower bound ${formatDuration(plan.estimate.lowerBoundSeconds)})`;
}
