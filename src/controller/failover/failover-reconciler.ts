/**
 * vSphere HA for KubeVirt, the imperative shell around core/failover. Each round, on the model of
 * the cluster: assess every protected node (Lease and Ready, two independent signals); if the storm
 * guard holds (too many failed at once, a zone gone dark, or no node visible), start nothing and say
 * why. For each failed node: open an incident, drive fencing step by step as the policy escalates,
 * and only once fencing is confirmed release the node's VMs (the out-of-service taint, or deleting
 * the stranded launcher pods and VMIs) so KubeVirt starts them elsewhere; then record each VM
 * Running again, and where. Fencing that cannot be confirmed is reported and never released.
 */
import type { Logger } from "pino";
import type { ApiClient } from "../../adapters/kube/client/api-client.ts";
import { assessNodes, failoverPolicyFor } from "../../core/failover/detect.ts";
import { failoverStep } from "../../core/failover/failover-step.ts";
import { describeStep, isFenced } from "../../core/failover/fencing.ts";
import { restartsByItself } from "../../core/failover/restart-order.ts";
import { stormGuard } from "../../core/failover/storm-guard.ts";
import type { HeldVm } from "../../core/failover/holds.ts";
import type { FenceAction, NodeHealth } from "../../core/failover/types.ts";
import type { ClusterModel, NodeInfo } from "../../core/model/cluster.ts";
import { OUT_OF_SERVICE_TAINT } from "../../core/placement/plugins/node-health/index.ts";
import type { PolicySet } from "../../core/policy/policy-set.ts";
import type { EventRecorder } from "../executor/event-recorder.ts";
import { iso, nodeTarget, NodeWrites } from "../maintenance/node-writes.ts";
import type { FailoverMetrics } from "./failover-metrics.ts";
import { externalConfirmations, observeFenceStep, startFenceStep } from "./fence-driver.ts";
import { cameBackSince, INCIDENT_ANNOTATION, type Incident, readIncident, withEvent } from "./incident.ts";
import { holdWaiting, releaseTurns, restoreAll } from "./restart-holds.ts";

interface FailoverDeps {
  readonly api: ApiClient;
  readonly events: EventRecorder;
  readonly log: Logger;
  readonly metrics: FailoverMetrics;
}

type FailoverPolicy = NonNullable<ReturnType<typeof failoverPolicyFor>>;

interface Cluster {
  readonly model: ClusterModel;
  readonly policies: PolicySet;
  /** Whether a VirtualMachine ("namespace/name") still exists, VMI or not (a halted one has none). */
  readonly vmExists: (key: string) => boolean;
}

/** A failed node under a policy, with its incident so far. */
interface Case {
  readonly node: NodeInfo;
  readonly policy: FailoverPolicy;
  readonly incident: Incident;
}

/** The incident's VMs Running again on another node since the last round. */
function newlyRunning(model: ClusterModel, node: NodeInfo, incident: Incident): { vm: string; node: string }[] {
  const done = new Set(incident.restarted.map((entry) => entry.vm));
  return incident.vms.flatMap((key) => {
    const vm = done.has(key) ? undefined : model.vms[model.vmIndex.get(key) ?? -1];
    const where = vm && vm.phase === "Running" && vm.node !== node.index ? model.nodes[vm.node]?.name : undefined;
    return where === undefined ? [] : [{ vm: key, node: where }];
  });
}

/**
 * Back before any fencing step began, or after fencing gave up: nothing was or will be released. A
 * step in progress (a fence request out) is followed to its end instead, so its release is recorded.
 */
function neverReleased(incident: Incident): boolean {
  return (incident.phase === "Fencing" && incident.fenceStep < 0) || incident.phase === "FencingFailed";
}

export class FailoverReconciler {
  private readonly deps: FailoverDeps;
  private readonly nodes: NodeWrites;
  private lastHold = "";

  constructor(deps: FailoverDeps) {
    this.deps = deps;
    this.nodes = new NodeWrites(deps.api);
  }

  /** `vmExists`: whether a VirtualMachine ("namespace/name") still exists, VMI or not (a halted one has none). */
  async reconcile(
    model: ClusterModel,
    policies: PolicySet,
    now: number,
    vmExists: (key: string) => boolean,
  ): Promise<void> {
    const health = assessNodes(model, policies, now);
    const storm = stormGuard(model, health, policies);
    this.deps.metrics.setHeld(storm.hold);
    if (storm.hold && storm.reason !== this.lastHold) this.deps.log.warn({ reason: storm.reason }, "failover held");
    this.lastHold = storm.hold ? storm.reason : "";
    const byName = new Map(health.map((entry) => [entry.node, entry]));
    for (const node of model.nodes)
      await this.node({ model, policies, vmExists }, node, { health: byName.get(node.name), now, hold: storm.hold });
  }

  private async node(
    cluster: Cluster,
    node: NodeInfo,
    round: { health: NodeHealth | undefined; now: number; hold: boolean },
  ): Promise<void> {
    const policy = failoverPolicyFor(cluster.policies, node);
    if (!policy) return;
    const recorded = readIncident(node.annotations);
    // A recovered incident whose host has come back since is a record: a new failure opens a new one.
    const incident = recorded && cameBackSince(recorded, node.lease?.renewedAt) ? undefined : recorded;
    const state = round.health?.state;
    if (incident && state === "healthy" && neverReleased(incident)) await this.close(node, incident, round.now);
    else if (incident) await this.follow(cluster, { node, policy, incident }, round.now);
    else if (state === "failed" && !round.hold) await this.open(cluster, { node, policy }, round.health, round.now);
  }

  /** Writes the incident; `cleared` annotations (an earlier incident's External confirmations) go with it. */
  private async write(node: string, incident: Incident | undefined, cleared: readonly string[] = []): Promise<void> {
    await this.nodes.annotate(node, {
      ...Object.fromEntries(cleared.map((annotation) => [annotation, null])),
      [INCIDENT_ANNOTATION]: incident === undefined ? null : JSON.stringify(incident),
    });
  }

  /**
   * A node is declared failed: the incident opens with the first fencing step, and the VMs whose
   * restart priority makes them wait are halted now, while their VMIs still show where they run (a
   * fence agent may release the node itself as it confirms). Halting never starts a second copy.
   */
  private async open(
    cluster: Cluster,
    failed: { node: NodeInfo; policy: FailoverPolicy },
    health: NodeHealth | undefined,
    now: number,
  ): Promise<void> {
    const { model } = cluster;
    const { node, policy } = failed;
    // VMs that KubeVirt would not start again anyway (Manual, Halted) are left alone.
    const vms = model.vms.filter((vm) => vm.node === node.index && restartsByItself(vm)).map((vm) => vm.key);
    const reason = health?.reason ?? "failed";
    const incident: Incident = {
      node: node.name,
      phase: "Fencing",
      reason,
      failedAt: iso(now),
      fenceStep: -1,
      fenceStartedAt: iso(now),
      vms,
      restarted: [],
      timeline: [{ at: iso(now), what: `declared failed: ${reason}` }],
      ...(await holdWaiting(this.deps.api, cluster, node.name, now)),
    };
    this.deps.log.warn({ node: node.name, vms: vms.length, reason }, "host failed");
    await this.deps.events.record(
      nodeTarget(node.name),
      "Warning",
      "HostFailed",
      `${reason}; ${vms.length} VM(s) on it`,
    );
    // An External confirmation set for an earlier incident must not confirm this one.
    await this.write(node.name, incident, externalConfirmations(policy.spec.fencing.strategies));
  }

  private async follow(cluster: Cluster, failed: Case, now: number): Promise<void> {
    if (failed.incident.phase === "Fencing") await this.fence(cluster, failed, now);
    else if (failed.incident.phase === "Fenced") await this.recover(cluster, failed, now);
  }

  /** The next fencing action, from the same failoverStep the safety properties check: no release unless fenced. */
  private async fence(cluster: Cluster, failed: Case, now: number): Promise<void> {
    const { node, policy, incident } = failed;
    const strategies = policy.spec.fencing.strategies;
    const step = strategies[incident.fenceStep];
    const target = { node: node.name, since: Date.parse(incident.failedAt) };
    const outcome = step
      ? await observeFenceStep(this.deps.api, step, { ...target, annotations: node.annotations })
      : undefined;
    // A remediation not there (yet, or only an earlier incident's): create this incident's own.
    if (step && outcome?.absent) await startFenceStep(this.deps.api, step, target).catch(() => undefined);
    const observation =
      step && outcome
        ? { step: incident.fenceStep, startedAt: Date.parse(incident.fenceStartedAt), ...outcome }
        : undefined;
    // An open incident means the node was declared failed; its health now does not undo that.
    const { fence: action } = failoverStep({
      ...cluster,
      now,
      node: node.name,
      health: "failed",
      observation,
      running: new Set(),
    });
    if (action) await this.act(failed, { action, now });
  }

  private async act(failed: Case, step: { action: FenceAction; now: number }): Promise<void> {
    const { node, policy, incident } = failed;
    const { action, now } = step;
    const { events, log } = this.deps;
    if (action.kind === "wait") return;
    if (action.kind === "start") {
      const step = policy.spec.fencing.strategies[action.step];
      const done = step
        ? await startFenceStep(this.deps.api, step, { node: node.name, since: Date.parse(incident.failedAt) }).catch(
            (error: unknown) => `could not start: ${String(error)}`,
          )
        : "";
      log.warn({ node: node.name, step: step && describeStep(step) }, `fencing: ${action.reason}`);
      await events.record(nodeTarget(node.name), "Warning", "Fencing", `${action.reason}: ${done}`);
      await this.write(
        node.name,
        withEvent({ ...incident, fenceStep: action.step, fenceStartedAt: iso(now) }, now, `fencing: ${done}`),
      );
      return;
    }
    if (action.kind === "exhausted") {
      log.error({ node: node.name }, action.reason);
      await events.record(nodeTarget(node.name), "Warning", "FencingFailed", action.reason);
      await this.write(node.name, withEvent({ ...incident, phase: "FencingFailed" }, now, action.reason));
      return;
    }
    if (!isFenced(action)) return;
    await this.release(node, policy);
    const count = incident.held?.length ?? 0;
    const held = count > 0 ? `; ${count} held back for their priority` : "";
    await events.record(
      nodeTarget(node.name),
      "Normal",
      "Fenced",
      `${action.reason}; its VMs are released to restart elsewhere${held}`,
    );
    const fenced = { ...incident, phase: "Fenced" as const, fencedAt: iso(now) };
    await this.write(node.name, withEvent(fenced, now, `fenced: ${action.reason}${held}`));
  }

  /** The node came back before it was fenced (or after fencing gave up): nothing was released; the holds end. */
  private async close(node: NodeInfo, incident: Incident, now: number): Promise<void> {
    await restoreAll(this.deps.api, incident.held ?? []);
    this.deps.log.warn({ node: node.name }, "failed node is healthy again; incident closed without a release");
    await this.deps.events.record(
      nodeTarget(node.name),
      "Normal",
      "HostBack",
      `healthy again at ${iso(now)} before any VM was released; ${incident.held?.length ?? 0} hold(s) lifted`,
    );
    await this.write(node.name, undefined);
  }

  /** Lets KubeVirt start the fenced node's VMs elsewhere: never called before fencing is confirmed. */
  private async release(node: NodeInfo, policy: FailoverPolicy): Promise<void> {
    if (policy.spec.fencing.release === "OutOfServiceTaint") {
      if (node.taints.some((taint) => taint.key === OUT_OF_SERVICE_TAINT)) return;
      const taint = { key: OUT_OF_SERVICE_TAINT, value: "nodeshutdown", effect: "NoExecute" };
      await this.nodes.addTaint(node.name, node.taints, taint);
      return;
    }
    const pods = (await this.deps.api.get("/api/v1/pods", {
      labelSelector: "kubevirt.io=virt-launcher",
      fieldSelector: `spec.nodeName=${node.name}`,
    })) as { items?: { metadata?: { name?: string; namespace?: string } }[] };
    for (const pod of pods.items ?? [])
      await this.deps.api
        .delete(`/api/v1/namespaces/${pod.metadata?.namespace ?? ""}/pods/${pod.metadata?.name ?? ""}`, {
          gracePeriodSeconds: 0,
        })
        .catch(() => undefined);
  }

  /** Records each VM Running again on another node and lets held VMs go in turn; ends when all run, or have gone. */
  private async recover(cluster: Cluster, failed: Case, now: number): Promise<void> {
    const { model, vmExists } = cluster;
    const { node, policy, incident } = failed;
    const fresh = newlyRunning(model, node, incident);
    const restarted = [...incident.restarted, ...fresh.map((entry) => ({ ...entry, at: iso(now) }))];
    let next = incident;
    for (const entry of fresh) {
      this.deps.metrics.vmRestarted((now - Date.parse(incident.failedAt)) / 1000);
      next = withEvent(next, now, `${entry.vm} Running on ${entry.node}`);
    }
    const held = await this.nextTurns(policy, { ...next, restarted }, now);
    const running = new Set(restarted.map((entry) => entry.vm));
    // Not yet running elsewhere, and not gone (a held VM is Halted: it exists, without a VMI).
    const pending = incident.vms.filter((key) => !running.has(key) && (model.vmIndex.has(key) || vmExists(key)));
    const phase = pending.length === 0 ? "Recovered" : "Fenced";
    const unchanged = held.length === (incident.held ?? []).length;
    if (restarted.length === incident.restarted.length && phase === incident.phase && unchanged) return;
    next = { ...next, restarted, phase, held };
    if (phase === "Recovered") {
      next = withEvent(next, now, `recovered: ${restarted.length} VM(s) restarted`);
      await this.deps.events.record(
        nodeTarget(node.name),
        "Normal",
        "HostFailureRecovered",
        `${restarted.length} VM(s) restarted elsewhere`,
      );
    }
    await this.write(node.name, next);
  }

  /** Gives the held VMs whose turn has come their run strategy back; returns those still held. */
  private async nextTurns(policy: FailoverPolicy, incident: Incident, now: number): Promise<HeldVm[]> {
    const held = incident.held ?? [];
    if (held.length === 0) return [];
    const holds = { classes: incident.classes ?? {}, held, restarted: incident.restarted };
    return releaseTurns(this.deps.api, policy.spec.restart, holds, now);
  }
}
