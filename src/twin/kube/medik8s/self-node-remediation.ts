/**
 * self-node-remediation (medik8s, self-node-remediation.medik8s.io/v1alpha1; see
 * shared/reference/anchors-remediation.md §1.2 and internal/controller/selfnoderemediation_controller.go).
 * The manager walks a SelfNodeRemediation through its phases: Fencing-Started (finalizer,
 * remediation.medik8s.io/self-node-remediation NoSchedule taint, status.timeAssumedRebooted =
 * now + the safe time) → Pre-Reboot-Completed (wait for that time) → Reboot-Completed (remove
 * the node's workloads) → Fencing-Completed (Succeeded=True). Nothing confirms the reboot: the
 * safe time is an assumption (SNR #258).
 *
 * The agent on the unhealthy node reboots it by letting its watchdog fire: a node that still
 * reaches the API sees the CR and stops feeding the watchdog at once; an isolated node decides
 * on its own once it has missed the API server and its peers (the calculator's first two terms).
 * A host without power has nothing to reboot.
 *
 * Strategies: Automatic picks OutOfServiceTaint (Kubernetes ≥ 1.28); ResourceDeletion
 * force-deletes the pods; OutOfServiceTaint adds node.kubernetes.io/out-of-service until no pod
 * on the node is terminating, then removes it again.
 */
import type { KubeObject } from "../../api/types.ts";
import type { TwinRuntime } from "../../runtime/runtime.ts";
import type { StoreEvent } from "../../store/store.ts";
import type { SelfNodeRemediationSettings } from "../options.ts";
import { setConditions } from "../shared/conditions.ts";
import { ControllerBase } from "../shared/controller-base.ts";
import { statusOnlyChange } from "../shared/events.ts";
import {
  annotationOf,
  asText,
  conditionStatus,
  isDeleting,
  keyOf,
  labelsOf,
  nameOf,
  refOf,
} from "../shared/objects.ts";
import type { PodIndex } from "../shared/pod-index.ts";
import { ReconcileQueue } from "../shared/reconcile-queue.ts";
import { addTaint, hasTaint, removeTaint } from "../shared/taints.ts";
import {
  EXCLUDE_FROM_REMEDIATION_LABEL,
  OUT_OF_SERVICE_TAINT,
  deletePodsOnNode,
  hasFinalizer,
  isTimedOutByNhc,
  remediatedNodeName,
  remediationMessage,
  withFinalizer,
  withoutFinalizer,
} from "./remediation.ts";
import { isolationDecisionSeconds, safeTimeToAssumeRebootedSeconds } from "./snr-safe-time.ts";
import { jsonEqual } from "../../api/json-equal.ts";
import { isoSeconds } from "../../../synth/clock.ts";

export const SNR_FINALIZER = "self-node-remediation.medik8s.io/snr-finalizer";
export const SNR_TAINT = "remediation.medik8s.io/self-node-remediation";
export const REBOOT_CAPABLE_ANNOTATION = "is-reboot-capable.self-node-remediation.medik8s.io";
export const WATCHDOG_TIMEOUT_ANNOTATION = "self-node-remediation.medik8s.io/watchdog-timeout";
const WORKER_ROLE_LABEL = "node-role.kubernetes.io/worker";
/** OutOfServiceTimeoutDuration. */
const OUT_OF_SERVICE_TIMEOUT_MS = 60_000;
const REQUEUE_MS = 5000;
/** How long the agent on a reachable node takes to see the CR. */
const AGENT_REACTION_MS = 1000;

type Phase = "Fencing-Started" | "Pre-Reboot-Completed" | "Reboot-Completed" | "Fencing-Completed";
type ConditionReason =
  | "RemediationStarted"
  | "RemediationTimeoutByNHC"
  | "RemediationFinishedSuccessfully"
  | "RemediationSkippedNodeNotFound";

const CONDITIONS: Readonly<Record<ConditionReason, readonly ["True" | "False", "True" | "False" | "Unknown"]>> = {
  RemediationStarted: ["True", "Unknown"],
  RemediationFinishedSuccessfully: ["False", "True"],
  RemediationTimeoutByNHC: ["False", "False"],
  RemediationSkippedNodeNotFound: ["False", "False"],
};

function phaseOf(snr: KubeObject): Phase {
  const phase = asText(snr.status?.phase);
  return phase === "Pre-Reboot-Completed" || phase === "Reboot-Completed" || phase === "Fencing-Completed"
    ? phase
    : "Fencing-Started";
}

function strategyOf(snr: KubeObject): "ResourceDeletion" | "OutOfServiceTaint" {
  return snr.spec?.remediationStrategy === "ResourceDeletion" ? "ResourceDeletion" : "OutOfServiceTaint";
}

export class SelfNodeRemediationController extends ControllerBase {
  readonly name = "self-node-remediation";
  private readonly settings: SelfNodeRemediationSettings;
  private readonly pods: PodIndex;
  private readonly queue: ReconcileQueue;
  /** SNRs whose node the agent already rebooted (didIRebootMyself). */
  private readonly rebooted = new Set<string>();
  /** Since when each powered host has been cut off from the network. */
  private readonly isolatedSince = new Map<string, number>();

  constructor(runtime: TwinRuntime, settings: SelfNodeRemediationSettings, pods: PodIndex) {
    super(runtime, "self-node-remediation");
    this.settings = settings;
    this.pods = pods;
    this.queue = new ReconcileQueue({
      now: () => this.now(),
      schedule: (delay, run) => this.after(delay, run),
      reconcile: (key) => this.reconcile(key),
    });
    this.watch(runtime.resources.selfNodeRemediations, (event) => this.onEvent(event));
    this.onStop(
      runtime.truth.subscribe((event) => {
        if (event.type !== "host") return;
        if (event.state.powered && !event.state.networked) {
          if (!this.isolatedSince.has(event.node)) this.isolatedSince.set(event.node, this.now());
        } else this.isolatedSince.delete(event.node);
      }),
    );
  }

  private onEvent(event: StoreEvent): void {
    if (event.type !== "DELETED" && !statusOnlyChange(event)) this.queue.add(keyOf(event.object));
  }

  private reconcile(key: string): void {
    const [namespace = "default", name = ""] = key.split("/");
    const snr = this.runtime.store.get(this.runtime.resources.selfNodeRemediations, namespace, name);
    if (!snr) return;
    const node = this.runtime.store.get(this.runtime.resources.nodes, undefined, remediatedNodeName(snr));
    if (isDeleting(snr) && (phaseOf(snr) === "Fencing-Completed" || isTimedOutByNhc(snr) || !node)) {
      this.recover(snr, node);
      return;
    }
    if (this.mayRemediate(snr, node)) this.advance(snr, node);
  }

  /** ReconcileManager's checks before the phases: NHC's timeout, the node, the exclusion label. */
  private mayRemediate(snr: KubeObject, node: KubeObject | undefined): node is KubeObject {
    if (isTimedOutByNhc(snr)) {
      this.event(
        snr,
        "Normal",
        "RemediationStopped",
        remediationMessage("NHC added the timed-out annotation, remediation will be stopped"),
      );
      this.setConditions(snr, "RemediationTimeoutByNHC");
      return false;
    }
    if (phaseOf(snr) !== "Fencing-Completed") this.setConditions(snr, "RemediationStarted");
    if (!node) {
      this.setConditions(snr, "RemediationSkippedNodeNotFound");
      this.event(snr, "Warning", "RemediationCannotStart", remediationMessage("Could not get remediation target Node"));
      this.updateStatus(snr, { lastError: `nodes "${remediatedNodeName(snr)}" not found` });
      return false;
    }
    if (labelsOf(node)[EXCLUDE_FROM_REMEDIATION_LABEL] === "true") {
      this.event(
        snr,
        "Normal",
        "RemediationSkipped",
        remediationMessage("remediation skipped this node is excluded from remediation"),
      );
      return false;
    }
    if (!hasFinalizer(snr, SNR_FINALIZER))
      this.event(snr, "Normal", "RemediationStarted", remediationMessage("Remediation started by SNR manager"));
    return true;
  }

  private advance(snr: KubeObject, node: KubeObject): void {
    switch (phaseOf(snr)) {
      case "Fencing-Started":
        this.prepareReboot(snr, node);
        return;
      case "Pre-Reboot-Completed":
        this.waitForReboot(snr);
        return;
      case "Reboot-Completed":
        if (strategyOf(snr) === "ResourceDeletion") this.deleteResources(snr, node);
        else this.outOfService(snr, node);
        return;
      case "Fencing-Completed":
        return;
    }
  }

  /**
   * The real manager also requires the is-reboot-capable annotation set to "true" by its agent;
   * the twin runs no agent pods, so only an explicit "false" stops it.
   */
  private prepareReboot(snr: KubeObject, node: KubeObject): void {
    if (annotationOf(node, REBOOT_CAPABLE_ANNOTATION) === "false") {
      this.updateStatus(snr, { lastError: "Node is not capable to reboot itself" });
      this.queue.add(keyOf(snr), 10 * REQUEUE_MS);
      return;
    }
    if (!hasFinalizer(snr, SNR_FINALIZER)) {
      this.mutate(this.runtime.resources.selfNodeRemediations, refOf(snr), (draft) =>
        withFinalizer(draft, SNR_FINALIZER),
      );
      this.event(
        snr,
        "Normal",
        "AddFinalizer",
        remediationMessage("Remediation process - successful adding finalizer"),
      );
      return;
    }
    this.taintNoSchedule(node);
    const rebootedBy = this.now() + this.safeTimeMs(node);
    this.event(
      snr,
      "Normal",
      "UpdateTimeAssumedRebooted",
      remediationMessage("Remediation process - about to update required fencing time on snr"),
    );
    this.updateStatus(snr, {
      timeAssumedRebooted: asText(snr.status?.timeAssumedRebooted) ?? isoSeconds(rebootedBy),
      phase: "Pre-Reboot-Completed",
    });
    this.agentReboots(snr, node);
    this.queue.add(keyOf(snr), Math.max(0, rebootedBy - this.now()) + 1000);
  }

  private safeTimeMs(node: KubeObject): number {
    const workers = this.runtime.store
      .list(this.runtime.resources.nodes)
      .filter((other) => labelsOf(other)[WORKER_ROLE_LABEL] !== undefined).length;
    return safeTimeToAssumeRebootedSeconds(this.settings, workers, this.watchdogSeconds(node)) * 1000;
  }

  private watchdogSeconds(node: KubeObject): number {
    const annotated = Number.parseInt(annotationOf(node, WATCHDOG_TIMEOUT_ANNOTATION) ?? "", 10);
    return Number.isNaN(annotated) ? this.settings.defaultWatchdogTimeoutSeconds : annotated;
  }

  private taintNoSchedule(node: KubeObject): void {
    if (hasTaint(node, SNR_TAINT, "NoSchedule")) return;
    const now = this.nowIso();
    this.mutate(this.runtime.resources.nodes, { name: nameOf(node) }, (draft) =>
      addTaint(draft, { key: SNR_TAINT, effect: "NoSchedule" }, now),
    );
    this.event(
      node,
      "Normal",
      "AddNoScheduleTaint",
      remediationMessage("Remediation process - NoSchedule taint added to the unhealthy node"),
    );
  }

  /** The agent's side: stop feeding the watchdog; the host resets when it fires. Once per remediation. */
  private agentReboots(snr: KubeObject, node: KubeObject): void {
    const uid = snr.metadata.uid ?? "";
    const name = nameOf(node);
    if (this.rebooted.has(uid) || !this.runtime.truth.host(name)?.powered) return;
    this.rebooted.add(uid);
    const reachable = this.runtime.truth.isReachable(name);
    const workers = this.runtime.store
      .list(this.runtime.resources.nodes)
      .filter((other) => labelsOf(other)[WORKER_ROLE_LABEL] !== undefined).length;
    const decideAt = reachable
      ? this.now() + AGENT_REACTION_MS
      : Math.max(
          this.now(),
          (this.isolatedSince.get(name) ?? this.now()) + isolationDecisionSeconds(this.settings, workers) * 1000,
        );
    this.after(decideAt - this.now(), () => {
      if (this.runtime.truth.isReachable(name))
        this.event(
          node,
          "Normal",
          "NodeReboot",
          remediationMessage("Remediation process - about to attempt fencing the unhealthy node by rebooting it"),
        );
      this.after(this.watchdogSeconds(node) * 1000, () => this.reset(name));
    });
  }

  private reset(node: string): void {
    if (!this.runtime.truth.host(node)?.powered) return;
    this.runtime.truth.setHost(node, { powered: false });
    this.after(this.settings.resetSeconds * 1000, () => this.runtime.truth.setHost(node, { powered: true }));
  }

  private waitForReboot(snr: KubeObject): void {
    const assumed = Date.parse(asText(snr.status?.timeAssumedRebooted) ?? "");
    if (Number.isFinite(assumed) && this.now() < assumed) {
      this.queue.add(keyOf(snr), assumed - this.now() + 1000);
      return;
    }
    this.updateStatus(snr, { phase: "Reboot-Completed" });
    this.queue.add(keyOf(snr));
  }

  private deleteResources(snr: KubeObject, node: KubeObject): void {
    deletePodsOnNode(this.runtime, nameOf(node), this.actor);
    this.completeFencing(snr, node);
  }

  /** useOutOfServiceTaint: the taint stays until no pod on the node is terminating. */
  private outOfService(snr: KubeObject, node: KubeObject): void {
    const name = nameOf(node);
    if (!hasTaint(node, OUT_OF_SERVICE_TAINT.key, "NoExecute")) {
      const now = this.nowIso();
      this.mutate(this.runtime.resources.nodes, { name }, (draft) => addTaint(draft, OUT_OF_SERVICE_TAINT, now));
      this.event(
        node,
        "Normal",
        "AddOutOfService",
        remediationMessage("Remediation process - add out-of-service taint to unhealthy node"),
      );
    }
    if (this.pods.podsOn(name).some(isDeleting)) {
      const assumed = Date.parse(asText(snr.status?.timeAssumedRebooted) ?? "");
      if (!(this.now() < assumed + OUT_OF_SERVICE_TIMEOUT_MS))
        this.updateStatus(snr, { lastError: "Not ready to delete out-of-service taint" });
      this.queue.add(keyOf(snr), REQUEUE_MS);
      return;
    }
    this.removeOutOfServiceTaint(name);
    this.completeFencing(snr, node);
  }

  private removeOutOfServiceTaint(node: string): void {
    const found = this.runtime.store.get(this.runtime.resources.nodes, undefined, node);
    if (!found || !hasTaint(found, OUT_OF_SERVICE_TAINT.key, "NoExecute")) return;
    this.mutate(this.runtime.resources.nodes, { name: node }, (draft) =>
      removeTaint(draft, OUT_OF_SERVICE_TAINT.key, "NoExecute"),
    );
    this.event(
      found,
      "Normal",
      "RemoveOutOfService",
      remediationMessage("Remediation process - remove out-of-service taint from node"),
    );
  }

  private completeFencing(snr: KubeObject, node: KubeObject): void {
    this.event(
      node,
      "Normal",
      "DeleteResources",
      remediationMessage("Remediation process - finished deleting unhealthy node resources"),
    );
    this.updateStatus(snr, { phase: "Fencing-Completed", lastError: undefined });
    this.setConditions(snr, "RemediationFinishedSuccessfully");
    if (isDeleting(snr)) this.queue.add(keyOf(snr));
  }

  /** recoverNode: the NoSchedule taint (and a left-over out-of-service taint) go, then the finalizer. */
  private recover(snr: KubeObject, node: KubeObject | undefined): void {
    if (!hasFinalizer(snr, SNR_FINALIZER)) return;
    if (node) {
      this.removeOutOfServiceTaint(nameOf(node));
      if (hasTaint(node, SNR_TAINT, "NoSchedule")) {
        this.mutate(this.runtime.resources.nodes, { name: nameOf(node) }, (draft) =>
          removeTaint(draft, SNR_TAINT, "NoSchedule"),
        );
        this.event(
          node,
          "Normal",
          "RemoveNoScheduleTaint",
          remediationMessage("Remediation process - remove NoSchedule taint from healthy remediated node"),
        );
      }
    }
    this.mutate(this.runtime.resources.selfNodeRemediations, refOf(snr), (draft) =>
      withoutFinalizer(draft, SNR_FINALIZER),
    );
    this.event(snr, "Normal", "RemoveFinalizer", remediationMessage("Remediation process - remove finalizer from snr"));
    this.event(snr, "Normal", "RemediationFinished", remediationMessage("Remediation finished"));
  }

  /** updateConditions: nothing changes when both conditions already have the wanted status. */
  private setConditions(snr: KubeObject, reason: ConditionReason): void {
    const [processing, succeeded] = CONDITIONS[reason];
    if (conditionStatus(snr, "Processing") === processing && conditionStatus(snr, "Succeeded") === succeeded) return;
    const now = this.nowIso();
    this.mutateStatus(this.runtime.resources.selfNodeRemediations, refOf(snr), (draft) =>
      setConditions(
        draft,
        [
          { type: "Processing", status: processing, reason },
          { type: "Succeeded", status: succeeded, reason },
        ],
        now,
      ),
    );
  }

  private updateStatus(snr: KubeObject, fields: Readonly<Record<string, unknown>>): void {
    this.mutateStatus(this.runtime.resources.selfNodeRemediations, refOf(snr), (draft) => {
      const status: Record<string, unknown> = { ...draft.status };
      for (const [key, value] of Object.entries(fields)) {
        if (value === undefined) delete status[key];
        else status[key] = value;
      }
      if (jsonEqual(status, draft.status ?? {})) return false;
      draft.status = status;
      return true;
    });
  }
}
