/**
 * fence-agents-remediation (medik8s, fence-agents-remediation.medik8s.io/v1alpha1; see
 * shared/reference/anchors-remediation.md §1.3 and the operator's
 * controllers/fenceagentsremediation_controller.go). A FenceAgentsRemediation is named after
 * its node. The operator adds its finalizer and the remediation.medik8s.io/fence-agents-remediation
 * NoSchedule taint, runs the fence agent against the node's BMC (--action reboot by default, or
 * off), and once the agent succeeded applies the remediation strategy: ResourceDeletion
 * (default) force-deletes the node's pods, OutOfServiceTaint adds
 * node.kubernetes.io/out-of-service:NoExecute. A BMC that does not answer fails every attempt:
 * the host is never fenced, and Succeeded=False lets NHC escalate. Deleting the CR removes the
 * taints the operator added.
 */
import { parseDuration } from "../../../core/model/quantity.ts";
import type { KubeObject } from "../../api/types.ts";
import type { TwinRuntime } from "../../runtime/runtime.ts";
import type { StoreEvent } from "../../store/store.ts";
import type { FenceAgentSettings } from "../options.ts";
import { ControllerBase } from "../shared/controller-base.ts";
import { statusOnlyChange } from "../shared/events.ts";
import { asNumber, asRecord, asText, conditionStatus, keyOf, nameOf, refOf } from "../shared/objects.ts";
import { ReconcileQueue } from "../shared/reconcile-queue.ts";
import { addTaint, hasTaint, removeTaint } from "../shared/taints.ts";
import { type FarReason, updateFarConditions } from "./far-conditions.ts";
import { type FenceAction, FenceAgentExecution, type FenceResult } from "./fence-agent.ts";
import {
  OUT_OF_SERVICE_TAINT,
  deletePodsOnNode,
  hasFinalizer,
  isTimedOutByNhc,
  remediatedNodeName,
  remediationMessage,
  withFinalizer,
  withoutFinalizer,
} from "./remediation.ts";

export const FAR_FINALIZER = "fence-agents-remediation.medik8s.io/far-finalizer";
export const FAR_TAINT = "remediation.medik8s.io/fence-agents-remediation";

interface FarSpec {
  readonly action: FenceAction | undefined;
  readonly attempts: number;
  readonly retryIntervalMs: number;
  readonly timeoutMs: number;
  readonly strategy: "ResourceDeletion" | "OutOfServiceTaint";
}

function durationMs(value: unknown, fallbackSeconds: number): number {
  const seconds = typeof value === "string" || typeof value === "number" ? parseDuration(value) : undefined;
  return (seconds ?? fallbackSeconds) * 1000;
}

/** The --action parameter, shared or for this node; reboot when unset (fencing.py's default). */
function actionOf(far: KubeObject, node: string): FenceAction | undefined {
  const spec = far.spec ?? {};
  const shared = asRecord(spec.sharedparameters);
  const perNode = asRecord(spec.nodeparameters);
  const value =
    asText(asRecord(perNode["--action"])[node]) ??
    asText(asRecord(perNode.action)[node]) ??
    asText(shared["--action"]) ??
    asText(shared.action) ??
    "reboot";
  return value === "reboot" || value === "off" ? value : undefined;
}

function farSpecOf(far: KubeObject, node: string): FarSpec {
  const spec = far.spec ?? {};
  return {
    action: actionOf(far, node),
    attempts: Math.max(1, asNumber(spec.retrycount) ?? 5),
    retryIntervalMs: durationMs(spec.retryinterval, 5),
    timeoutMs: durationMs(spec.timeout, 60),
    strategy: spec.remediationStrategy === "OutOfServiceTaint" ? "OutOfServiceTaint" : "ResourceDeletion",
  };
}

export class FenceAgentsRemediationController extends ControllerBase {
  readonly name = "fence-agents-remediation";
  private readonly settings: FenceAgentSettings;
  private readonly queue: ReconcileQueue;
  private readonly executions = new Map<string, FenceAgentExecution>();
  /** FARs whose agent left the host powered off (--action off), by UID → node. */
  private readonly poweredOff = new Map<string, string>();

  constructor(runtime: TwinRuntime, settings: FenceAgentSettings) {
    super(runtime, "fence-agents-remediation");
    this.settings = settings;
    this.queue = new ReconcileQueue({
      now: () => this.now(),
      schedule: (delay, run) => this.after(delay, run),
      reconcile: (key) => this.reconcile(key),
    });
    this.watch(runtime.resources.fenceAgentsRemediations, (event) => this.onEvent(event));
  }

  private onEvent(event: StoreEvent): void {
    if (event.type === "DELETED") this.cancel(event.object.metadata.uid ?? "");
    else if (!statusOnlyChange(event)) this.queue.add(keyOf(event.object));
  }

  private reconcile(key: string): void {
    const [namespace = "default", name = ""] = key.split("/");
    const far = this.runtime.store.get(this.runtime.resources.fenceAgentsRemediations, namespace, name);
    if (!far) return;
    const nodeName = remediatedNodeName(far);
    const node = this.runtime.store.get(this.runtime.resources.nodes, undefined, nodeName);
    if (far.metadata.deletionTimestamp) {
      this.finishOnDeletion(far, node);
      return;
    }
    if (!node) {
      this.setConditions(far, "RemediationFinishedNodeNotFound");
      this.event(far, "Warning", "NodeNotFound", remediationMessage("CR name doesn't match a node name"));
      return;
    }
    if (isTimedOutByNhc(far)) {
      this.cancel(far.metadata.uid ?? "");
      this.setConditions(far, "RemediationInterruptedByNHC");
      this.event(
        far,
        "Normal",
        "RemediationStopped",
        remediationMessage("NHC added the timed-out annotation, remediation will be stopped"),
      );
      return;
    }
    if (!hasFinalizer(far, FAR_FINALIZER)) {
      this.start(far);
      return;
    }
    this.taint(nodeName);
    this.advance(far, nodeName);
  }

  private start(far: KubeObject): void {
    this.mutate(this.runtime.resources.fenceAgentsRemediations, refOf(far), (draft) =>
      withFinalizer(draft, FAR_FINALIZER),
    );
    this.event(far, "Normal", "RemediationStarted", remediationMessage("Remediation started"));
    this.setConditions(far, "RemediationStarted");
    this.event(far, "Normal", "AddFinalizer", remediationMessage("Finalizer was added"));
  }

  private taint(nodeName: string): void {
    const node = this.runtime.store.get(this.runtime.resources.nodes, undefined, nodeName);
    if (!node || hasTaint(node, FAR_TAINT, "NoSchedule")) return;
    const now = this.nowIso();
    const tainted = this.mutate(this.runtime.resources.nodes, { name: nodeName }, (draft) =>
      addTaint(draft, { key: FAR_TAINT, effect: "NoSchedule" }, now),
    );
    if (tainted)
      this.event(tainted, "Normal", "AddRemediationTaint", remediationMessage("Remediation taint was added"));
  }

  private advance(far: KubeObject, nodeName: string): void {
    const processing = conditionStatus(far, "Processing") === "True";
    const fenced = conditionStatus(far, "FenceAgentActionSucceeded") === "True";
    if (processing && !fenced) this.execute(far, nodeName);
    else if (fenced && conditionStatus(far, "Succeeded") !== "True") this.remediate(far, nodeName);
  }

  private execute(far: KubeObject, nodeName: string): void {
    const uid = far.metadata.uid ?? "";
    if (this.executions.has(uid)) return;
    const spec = farSpecOf(far, nodeName);
    if (!spec.action) {
      this.event(far, "Warning", "UnsupportedAction", remediationMessage("Unsupported action value in CR parameters"));
      return;
    }
    const action = spec.action;
    const execution = new FenceAgentExecution(
      { runtime: this.runtime, settings: this.settings, after: (delay, run) => this.after(delay, run) },
      {
        node: nodeName,
        action,
        attempts: spec.attempts,
        retryIntervalMs: spec.retryIntervalMs,
        timeoutMs: spec.timeoutMs,
      },
      (result) => this.agentDone(far, result, action),
    );
    this.executions.set(uid, execution);
    execution.start();
    this.event(far, "Normal", "FenceAgentExecuted", remediationMessage("Fence agent was executed"));
  }

  private agentDone(far: KubeObject, result: FenceResult, action: FenceAction): void {
    const uid = far.metadata.uid ?? "";
    if (this.executions.delete(uid) && result === "FenceAgentSucceeded" && action === "off")
      this.poweredOff.set(uid, remediatedNodeName(far));
    this.setConditions(far, result);
    this.queue.add(keyOf(far));
  }

  private remediate(far: KubeObject, nodeName: string): void {
    const node = this.runtime.store.get(this.runtime.resources.nodes, undefined, nodeName);
    if (!node) return;
    if (farSpecOf(far, nodeName).strategy === "ResourceDeletion") {
      this.event(node, "Normal", "DeleteResources", remediationMessage("Manually delete pods from the unhealthy node"));
      deletePodsOnNode(this.runtime, nodeName, this.actor);
    } else {
      this.addOutOfServiceTaint(node);
    }
    this.setConditions(far, "RemediationFinishedSuccessfully");
    this.event(
      node,
      "Normal",
      "NodeRemediationCompleted",
      remediationMessage("Unhealthy node remediation was completed"),
    );
    this.event(far, "Normal", "RemediationFinished", remediationMessage("Remediation finished"));
  }

  private addOutOfServiceTaint(node: KubeObject): void {
    if (hasTaint(node, OUT_OF_SERVICE_TAINT.key, "NoExecute")) return;
    const now = this.nowIso();
    this.mutate(this.runtime.resources.nodes, { name: nameOf(node) }, (draft) =>
      addTaint(draft, OUT_OF_SERVICE_TAINT, now),
    );
    this.event(node, "Normal", "AddOutOfServiceTaint", remediationMessage("The out-of-service taint was added"));
  }

  /** handleFARDeletion: the out-of-service taint (for that strategy) and the FAR taint go, then the finalizer. */
  private finishOnDeletion(far: KubeObject, node: KubeObject | undefined): void {
    const uid = far.metadata.uid ?? "";
    this.cancel(uid);
    if (!hasFinalizer(far, FAR_FINALIZER)) return;
    if (node) this.untaint(far, node);
    this.mutate(this.runtime.resources.fenceAgentsRemediations, refOf(far), (draft) =>
      withoutFinalizer(draft, FAR_FINALIZER),
    );
    this.event(far, "Normal", "RemoveFinalizer", remediationMessage("Finalizer was removed"));
    this.powerBackOn(uid);
  }

  private untaint(far: KubeObject, node: KubeObject): void {
    const name = nameOf(node);
    if (farSpecOf(far, name).strategy === "OutOfServiceTaint") {
      this.mutate(this.runtime.resources.nodes, { name }, (draft) =>
        removeTaint(draft, OUT_OF_SERVICE_TAINT.key, "NoExecute"),
      );
      this.event(node, "Normal", "RemoveOutOfServiceTaint", remediationMessage("The out-of-service taint was removed"));
    }
    this.mutate(this.runtime.resources.nodes, { name }, (draft) => removeTaint(draft, FAR_TAINT, "NoSchedule"));
    this.event(node, "Normal", "RemoveRemediationTaint", remediationMessage("Remediation taint was removed"));
  }

  /**
   * Not the operator: with --action off nobody powers the host on again but an administrator.
   * The twin stands in for that administrator when the remediation ends, after a short delay.
   */
  private powerBackOn(uid: string): void {
    const node = this.poweredOff.get(uid);
    this.poweredOff.delete(uid);
    if (node === undefined) return;
    this.after(this.settings.powerOnSeconds * 1000, () => {
      if (this.runtime.truth.host(node)?.powered === false) this.runtime.truth.setHost(node, { powered: true });
    });
  }

  private cancel(uid: string): void {
    this.executions.get(uid)?.cancel();
    this.executions.delete(uid);
  }

  private setConditions(far: KubeObject, reason: FarReason): void {
    const now = this.nowIso();
    this.mutateStatus(this.runtime.resources.fenceAgentsRemediations, refOf(far), (draft) =>
      updateFarConditions(draft, reason, now),
    );
  }
}
