/**
 * Maintenance mode, the imperative shell around core/evacuate. Each round, on the model of the
 * cluster: start proactive evacuations (degraded hardware); then for every node whose maintenance
 * was requested (kubedrs.io/maintenance, a NodeMaintenance, `kubedrs evacuate`) cordon it, report
 * its blockers and ETA before anything moves, hand the planned migrations to the executor (ahead of
 * balancing), shut down the VMs the policy says to restart elsewhere, and keep its progress on the
 * node. When maintenance ends: uncordon, move the VMs back if the policy says so, clear the status.
 */
import type { Logger } from "pino";
import type { ApiClient } from "../../adapters/kube/client/api-client.ts";
import type { PlannedMove } from "../../core/balance/plan-types.ts";
import { describeEta, planEvacuation } from "../../core/evacuate/plan.ts";
import { lastNodeRefusal } from "../../core/evacuate/request.ts";
import type { EvacuationBlocker, EvacuationPlan } from "../../core/evacuate/types.ts";
import { migrationLimits } from "../../core/execute/limits.ts";
import type { ClusterModel, NodeInfo } from "../../core/model/cluster.ts";
import { createRng } from "../../core/numeric/rng.ts";
import type { PolicySet } from "../../core/policy/policy-set.ts";
import { type EventRecorder, vmiTarget } from "../executor/event-recorder.ts";
import type { MigrationExecutor } from "../executor/executor.ts";
import { type EvacuationStatus, readEvacuationStatus } from "./evacuation-status.ts";
import { endMaintenance } from "./maintenance-end.ts";
import type { MaintenanceMetrics } from "./maintenance-metrics.ts";
import { iso, nodeTarget, NodeWrites } from "./node-writes.ts";
import { ProactiveTrigger } from "./proactive-trigger.ts";

export interface MaintenanceDeps {
  readonly api: ApiClient;
  readonly events: EventRecorder;
  readonly executor: MigrationExecutor;
  readonly log: Logger;
  readonly metrics: MaintenanceMetrics;
  readonly seed: number;
}

/** Run strategies under which KubeVirt starts a VM again once its VMI is gone. */
const RESTARTING = new Set(["Always", "RerunOnFailure"]);

interface NodeRound {
  readonly node: NodeInfo;
  readonly status: EvacuationStatus | undefined;
}

/** One node's share of the evacuation plan. */
interface NodeShare {
  readonly etaSeconds: number;
  readonly moves: readonly PlannedMove[];
  readonly blockers: readonly EvacuationBlocker[];
  readonly inFlight: readonly string[];
}

function shareOf(plan: EvacuationPlan, model: ClusterModel, node: string): NodeShare {
  const nodeOfVm = (vm: string): string | undefined =>
    model.nodes[model.vms[model.vmIndex.get(vm) ?? -1]?.node ?? -1]?.name;
  return {
    etaSeconds: plan.estimate.etaSeconds,
    moves: plan.moves.filter((move) => move.from === node),
    blockers: plan.blockers.filter((blocker) => blocker.node === node),
    inFlight: plan.inFlight.filter((vm) => nodeOfVm(vm) === node),
  };
}

/**
 * The plan name a move's VMIM is named and labelled by: a retry after a failure gets a new one (a new
 * VMIM), a restarted kubedrs the same one (a 409 it follows). A label value: ≤ 63 characters.
 */
function evacuationPlanName(move: PlannedMove, attempt: number): string {
  return `evacuate-${attempt}-${move.to}`.slice(0, 63).replace(/[^a-z0-9]+$/, "");
}

function blockerText(blocker: EvacuationBlocker): string {
  return blocker.reasons.map((reason) => `${reason.plugin}: ${reason.reason}`).join("; ");
}

export class MaintenanceReconciler {
  private readonly deps: MaintenanceDeps;
  private readonly nodes: NodeWrites;
  private readonly proactive: ProactiveTrigger;
  private readonly reported = new Set<string>();

  constructor(deps: MaintenanceDeps) {
    this.deps = deps;
    this.nodes = new NodeWrites(deps.api);
    this.proactive = new ProactiveTrigger({ ...deps, nodes: this.nodes });
  }

  async reconcile(model: ClusterModel, policies: PolicySet, now: number): Promise<void> {
    await this.proactive.run(model, policies, now);
    const rounds = model.nodes.map((node) => ({ node, status: this.statusOf(node) }));
    const requested = rounds.filter((round) => round.node.maintenance !== undefined);
    const plan = requested.length > 0 ? this.plan(model, policies, now, requested) : undefined;
    const moves: PlannedMove[] = [];
    for (const round of requested) if (plan) moves.push(...(await this.evacuate(round, plan, model, now)));
    for (const { node, status } of rounds)
      if (node.maintenance === undefined && status !== undefined)
        moves.push(
          ...(await endMaintenance({ ...this.deps, nodes: this.nodes }, { node, status }, { model, policies }, now)),
        );
    const limits = migrationLimits(model.migrationConfig, []);
    this.deps.executor.adopt({
      planName: "evacuation",
      moves,
      runnable: new Set(moves),
      limitsOf: () => limits,
      lane: "evacuate",
      planNameOf: (move) => evacuationPlanName(move, this.deps.executor.failedTargets(move.vm).length),
    });
    this.deps.metrics.keepOnly(requested.map((round) => round.node.name));
  }

  private statusOf(node: NodeInfo): EvacuationStatus | undefined {
    const { status, error } = readEvacuationStatus(node.annotations);
    if (error !== undefined) this.once(`${node.name}/${error}`, () => this.deps.log.warn({ node: node.name }, error));
    return status;
  }

  private once(key: string, report: () => void): void {
    if (this.reported.has(key)) return;
    this.reported.add(key);
    report();
  }

  private plan(model: ClusterModel, policies: PolicySet, now: number, requested: readonly NodeRound[]): EvacuationPlan {
    const avoid = new Map<string, readonly string[]>();
    for (const { node } of requested)
      for (const vm of model.vms.filter((candidate) => candidate.node === node.index))
        avoid.set(vm.key, this.deps.executor.failedTargets(vm.key));
    return planEvacuation({
      model,
      policies,
      now,
      nodes: new Map(requested.map(({ node }) => [node.name, node.maintenance ?? "maintenance"])),
      rng: createRng(this.deps.seed),
      avoid,
    });
  }

  /** One node in maintenance: start it (cordon, report), restart what must restart, write progress; returns its moves. */
  private async evacuate(
    round: NodeRound,
    plan: EvacuationPlan,
    model: ClusterModel,
    now: number,
  ): Promise<PlannedMove[]> {
    const { node } = round;
    if (round.status?.phase === "Refused") return [];
    const refusal = round.status === undefined ? lastNodeRefusal(model, node.name) : undefined;
    if (refusal !== undefined) {
      await this.refuse(node, refusal, now);
      return [];
    }
    const share = shareOf(plan, model, node.name);
    const started = round.status ?? (await this.start(node, plan, share, now));
    const restarted = await this.restart(model, share.blockers, started);
    await this.progress(node, share, { ...started, restarted }, now);
    return [...share.moves];
  }

  private async refuse(node: NodeInfo, refusal: string, now: number): Promise<void> {
    this.deps.log.warn({ node: node.name }, `evacuation refused: ${refusal}`);
    await this.deps.events.record(nodeTarget(node.name), "Warning", "EvacuationRefused", refusal);
    await this.nodes.writeStatus(node.name, {
      phase: "Refused",
      reason: refusal,
      startedAt: iso(now),
      updatedAt: iso(now),
      vms: [],
      remaining: 0,
      inFlight: 0,
      blocked: [],
      etaSeconds: 0,
      lowerBoundSeconds: 0,
      cordonedByKubedrs: false,
      restarted: [],
    });
  }

  /** Cordon, then report the plan and every blocker before the first migration is handed over. */
  private async start(node: NodeInfo, plan: EvacuationPlan, share: NodeShare, now: number): Promise<EvacuationStatus> {
    const cordon = !node.unschedulable;
    if (cordon) await this.nodes.cordon(node.name, true);
    const { events, log } = this.deps;
    const summary =
      `evacuating ${share.moves.length + share.inFlight.length} VM(s) for ${node.maintenance ?? "maintenance"}; ` +
      `${describeEta(plan)}; ${share.blockers.length} cannot live-migrate`;
    log.info({ node: node.name, moves: share.moves.length, blockers: share.blockers.length }, summary);
    await events.record(nodeTarget(node.name), "Normal", "EvacuationPlanned", summary);
    for (const blocker of share.blockers) {
      const text = `cannot live-migrate off ${node.name} (${blockerText(blocker)}); ${blocker.decidedBy}: ${blocker.action}`;
      await events.record(vmiTarget(blocker.vm), "Warning", "EvacuationBlocked", text);
    }
    const status: EvacuationStatus = {
      phase: "Evacuating",
      reason: node.maintenance ?? "maintenance",
      startedAt: iso(now),
      updatedAt: iso(now),
      vms: [...share.moves.map((move) => move.vm), ...share.inFlight],
      remaining: share.moves.length + share.inFlight.length,
      inFlight: share.inFlight.length,
      blocked: share.blockers.map((blocker) => ({
        vm: blocker.vm,
        action: blocker.action,
        reason: blockerText(blocker),
      })),
      etaSeconds: plan.estimate.etaSeconds,
      lowerBoundSeconds: plan.estimate.lowerBoundSeconds,
      cordonedByKubedrs: cordon,
      restarted: [],
    };
    await this.nodes.writeStatus(node.name, status);
    return status;
  }

  /** Shuts down, once each, the VMs the policy restarts elsewhere (KubeVirt starts them again off the cordoned node). */
  private async restart(
    model: ClusterModel,
    blockers: readonly EvacuationBlocker[],
    status: EvacuationStatus,
  ): Promise<string[]> {
    const restarted = [...status.restarted];
    for (const blocker of blockers.filter((b) => b.action === "ShutdownAndRestartElsewhere")) {
      const vm = model.vms[model.vmIndex.get(blocker.vm) ?? -1];
      if (!vm || restarted.includes(vm.key) || !RESTARTING.has(vm.runStrategy ?? "")) continue;
      await this.deps.api.delete(`/apis/kubevirt.io/v1/namespaces/${vm.namespace}/virtualmachineinstances/${vm.name}`);
      await this.deps.events.record(
        vmiTarget(vm.key),
        "Normal",
        "EvacuationRestart",
        `shut down to restart elsewhere: ${blockerText(blocker)} (${blocker.decidedBy})`,
      );
      restarted.push(vm.key);
    }
    return restarted;
  }

  private async progress(node: NodeInfo, share: NodeShare, status: EvacuationStatus, now: number): Promise<void> {
    const remaining = share.moves.length + share.inFlight.length;
    const blocking = share.blockers.filter(
      (blocker) =>
        blocker.action === "Block" ||
        (blocker.action === "ShutdownAndRestartElsewhere" && !status.restarted.includes(blocker.vm)),
    );
    const phase = remaining > 0 ? "Evacuating" : blocking.length > 0 ? "Blocked" : "Ready";
    const next: EvacuationStatus = {
      ...status,
      phase,
      updatedAt: iso(now),
      remaining,
      inFlight: share.inFlight.length,
      blocked: share.blockers.map((blocker) => ({
        vm: blocker.vm,
        action: blocker.action,
        reason: blockerText(blocker),
      })),
      etaSeconds: share.etaSeconds,
    };
    this.deps.metrics.setEvacuation(node.name, {
      remaining: share.moves.length,
      inFlight: share.inFlight.length,
      blocked: blocking.length,
      etaSeconds: share.etaSeconds,
      ready: phase === "Ready",
    });
    if (JSON.stringify({ ...next, updatedAt: "" }) === JSON.stringify({ ...status, updatedAt: "" })) return;
    await this.nodes.writeStatus(node.name, next);
    if (phase !== status.phase && phase !== "Evacuating") await this.announce(node.name, phase, blocking);
  }

  private async announce(node: string, phase: string, blocking: readonly EvacuationBlocker[]): Promise<void> {
    if (phase === "Ready") {
      this.deps.log.info({ node }, "node evacuated: ready for maintenance");
      await this.deps.events.record(
        nodeTarget(node),
        "Normal",
        "ReadyForMaintenance",
        "every VM that can move has left",
      );
      return;
    }
    const list = blocking.map((blocker) => `${blocker.vm} (${blockerText(blocker)})`).join("; ");
    this.deps.log.warn({ node, blocked: blocking.length }, "node evacuated but not ready for maintenance");
    await this.deps.events.record(nodeTarget(node), "Warning", "NotReadyForMaintenance", `still on the node: ${list}`);
  }
}
