/**
 * node-maintenance-operator (medik8s, nodemaintenance.medik8s.io/v1beta1; see
 * shared/reference/anchors-remediation.md §1.5): a NodeMaintenance cordons its node
 * (spec.unschedulable, taints medik8s.io/drain and node.kubernetes.io/unschedulable NoSchedule,
 * label remediation.medik8s.io/exclude-from-remediation) and drains it like `kubectl drain`
 * through the eviction API, where KubeVirt turns the eviction of a live-migratable VMI into a
 * migration and answers 429 meanwhile. A failed drain pass records lastError, pendingPods and
 * drainProgress and is retried after 5 s. Status: phase Running → Succeeded, totalpods,
 * evictionPods. Deleting the CR uncordons the node (finalizer foregroundDeleteNodeMaintenance).
 * The validating webhook refuses a second NodeMaintenance for a node, or one for a missing node.
 */
import { errors } from "../../api/status.ts";
import type { KubeObject } from "../../api/types.ts";
import type { TwinRuntime } from "../../runtime/runtime.ts";
import type { NodeMaintenanceSettings } from "../options.ts";
import { ControllerBase } from "../shared/controller-base.ts";
import { asText, nameOf } from "../shared/objects.ts";
import type { PodIndex } from "../shared/pod-index.ts";
import { ReconcileQueue } from "../shared/reconcile-queue.ts";
import { TAINT, addTaint, removeTaint } from "../shared/taints.ts";
import { DrainPass, podsForDeletion } from "./drain.ts";
import { statusOnlyChange } from "../shared/events.ts";
import { EXCLUDE_FROM_REMEDIATION_LABEL, hasFinalizer, withFinalizer, withoutFinalizer } from "./remediation.ts";
import { jsonEqual } from "../../api/json-equal.ts";

export const NODE_MAINTENANCE_FINALIZER = "foregroundDeleteNodeMaintenance";
export const DRAIN_TAINT = "medik8s.io/drain";
const WEBHOOK = 'admission webhook "vnodemaintenance.kb.io" denied the request';

export class NodeMaintenanceController extends ControllerBase {
  readonly name = "node-maintenance-operator";
  private readonly settings: NodeMaintenanceSettings;
  private readonly pods: PodIndex;
  private readonly queue: ReconcileQueue;
  private readonly drains = new Map<string, DrainPass>();

  constructor(runtime: TwinRuntime, settings: NodeMaintenanceSettings, pods: PodIndex) {
    super(runtime, "node-maintenance-operator");
    this.settings = settings;
    this.pods = pods;
    this.queue = new ReconcileQueue({
      now: () => this.now(),
      schedule: (delay, run) => this.after(delay, run),
      reconcile: (name) => this.reconcile(name),
    });
    this.admit();
    this.watch(runtime.resources.nodeMaintenances, (event) => {
      if (event.type === "DELETED") this.cancelDrain(nameOf(event.object));
      else if (!statusOnlyChange(event)) this.queue.add(nameOf(event.object));
    });
  }

  private admit(): void {
    const { store, resources } = this.runtime;
    store.admit(resources.nodeMaintenances, {
      create: (nm) => {
        const node = asText(nm.spec?.nodeName) ?? "";
        if (!store.get(resources.nodes, undefined, node))
          throw errors.forbidden(`${WEBHOOK}: invalid nodeName, no node with name ${node} found`);
        if (store.list(resources.nodeMaintenances).some((other) => asText(other.spec?.nodeName) === node))
          throw errors.forbidden(`${WEBHOOK}: invalid nodeName, a NodeMaintenance for node ${node} already exists`);
      },
      update: (nm, old, options) => {
        if ("subresource" in options && options.subresource === "status") return;
        if (asText(nm.spec?.nodeName) !== asText(old.spec?.nodeName))
          throw errors.forbidden(`${WEBHOOK}: updating spec.NodeName isn't allowed`);
      },
    });
  }

  private reconcile(name: string): void {
    const nm = this.runtime.store.get(this.runtime.resources.nodeMaintenances, undefined, name);
    if (!nm) return;
    if (nm.metadata.deletionTimestamp) {
      this.finishOnDeletion(nm);
      return;
    }
    if (!hasFinalizer(nm, NODE_MAINTENANCE_FINALIZER)) {
      this.mutate(this.runtime.resources.nodeMaintenances, { name }, (draft) =>
        withFinalizer(draft, NODE_MAINTENANCE_FINALIZER),
      );
      this.event(nm, "Normal", "BeginMaintenance", "Begin a node maintenance");
    }
    const nodeName = asText(nm.spec?.nodeName) ?? "";
    this.initStatus(name, nodeName);
    const node = this.runtime.store.get(this.runtime.resources.nodes, undefined, nodeName);
    if (!node) {
      this.event(nm, "Warning", "FailedMaintenance", "Failed a node maintenance");
      this.updateStatus(name, { phase: "Failed", lastError: `nodes "${nodeName}" not found` });
      return;
    }
    this.ownByNode(name, node);
    this.cordon(nodeName);
    if (!this.drains.has(name) && (nm.status?.phase === undefined || nm.status.phase === "Running"))
      this.startDrain(name, nodeName);
  }

  /** initMaintenanceStatus: the first reconcile counts the node's pods and those to evict. */
  private initStatus(name: string, node: string): void {
    const pods = this.pods.podsOn(node);
    const pending = podsForDeletion(pods).map(nameOf);
    this.mutateStatus(this.runtime.resources.nodeMaintenances, { name }, (draft) => {
      if (draft.status?.phase) return false;
      draft.status = {
        ...draft.status,
        phase: "Running",
        lastUpdate: this.nowIso(),
        ...(pending.length > 0 && { pendingPods: pending }),
        evictionPods: pending.length,
        totalpods: pods.length,
      };
      return true;
    });
  }

  /** setOwnerRefToNode: the NodeMaintenance goes with its node. */
  private ownByNode(name: string, node: KubeObject): void {
    this.mutate(this.runtime.resources.nodeMaintenances, { name }, (draft) => {
      const refs = draft.metadata.ownerReferences ?? [];
      if (refs.some((ref) => ref.uid === node.metadata.uid)) return false;
      draft.metadata.ownerReferences = [
        ...refs,
        {
          apiVersion: "v1",
          kind: "Node",
          name: nameOf(node),
          uid: node.metadata.uid ?? "",
          blockOwnerDeletion: false,
          controller: false,
        },
      ];
      return true;
    });
  }

  private cordon(node: string): void {
    const now = this.nowIso();
    this.mutate(this.runtime.resources.nodes, { name: node }, (draft) => {
      let changed = addTaint(draft, { key: DRAIN_TAINT, effect: "NoSchedule" }, now);
      changed = addTaint(draft, { key: TAINT.unschedulable, effect: "NoSchedule" }, now) || changed;
      if (draft.metadata.labels?.[EXCLUDE_FROM_REMEDIATION_LABEL] !== "true") {
        draft.metadata.labels = { ...draft.metadata.labels, [EXCLUDE_FROM_REMEDIATION_LABEL]: "true" };
        changed = true;
      }
      if (draft.spec?.unschedulable !== true) {
        draft.spec = { ...draft.spec, unschedulable: true };
        changed = true;
      }
      return changed;
    });
  }

  private uncordon(node: string): void {
    this.mutate(this.runtime.resources.nodes, { name: node }, (draft) => {
      let changed = removeTaint(draft, DRAIN_TAINT, "NoSchedule");
      changed = removeTaint(draft, TAINT.unschedulable, "NoSchedule") || changed;
      if (draft.metadata.labels?.[EXCLUDE_FROM_REMEDIATION_LABEL] !== undefined) {
        const { [EXCLUDE_FROM_REMEDIATION_LABEL]: _excluded, ...labels } = draft.metadata.labels;
        draft.metadata.labels = labels;
        changed = true;
      }
      if (draft.spec?.unschedulable === true) {
        delete draft.spec.unschedulable;
        changed = true;
      }
      return changed;
    });
    const found = this.runtime.store.get(this.runtime.resources.nodes, undefined, node);
    if (found) this.event(found, "Normal", "UncordonNode", "Uncordon a node");
  }

  private startDrain(name: string, node: string): void {
    const pass = new DrainPass(
      {
        runtime: this.runtime,
        settings: this.settings,
        after: (delay, run) => this.after(delay, run),
        report: (message) => this.runtime.log.note(this.nowIso(), this.actor, name, message),
      },
      this.pods.podsOn(node),
      (outcome) => {
        this.drains.delete(name);
        if (outcome.error === undefined) this.succeed(name);
        else this.retryLater(name, node, outcome.error);
      },
    );
    this.drains.set(name, pass);
    pass.start();
  }

  private succeed(name: string): void {
    const nm = this.runtime.store.get(this.runtime.resources.nodeMaintenances, undefined, name);
    if (!nm || nm.metadata.deletionTimestamp) return;
    if (nm.status?.phase !== "Succeeded")
      this.event(nm, "Normal", "SucceedMaintenance", "Node maintenance was succeeded");
    this.updateStatus(name, {
      phase: "Succeeded",
      drainProgress: 100,
      pendingPods: undefined,
      lastUpdate: this.nowIso(),
    });
  }

  /** onReconcileErrorWithRequeue: record the error and the pods left, try again in 5 s. */
  private retryLater(name: string, node: string, error: string): void {
    const pending = podsForDeletion(this.pods.podsOn(node)).map(nameOf);
    const nm = this.runtime.store.get(this.runtime.resources.nodeMaintenances, undefined, name);
    const evictionPods = typeof nm?.status?.evictionPods === "number" ? nm.status.evictionPods : 0;
    this.updateStatus(name, {
      lastError: error,
      lastUpdate: this.nowIso(),
      pendingPods: pending.length > 0 ? pending : undefined,
      ...(evictionPods > 0 && { drainProgress: Math.floor(((evictionPods - pending.length) * 100) / evictionPods) }),
    });
    this.queue.add(name, this.settings.requeueSeconds * 1000);
  }

  private updateStatus(name: string, fields: Readonly<Record<string, unknown>>): void {
    this.mutateStatus(this.runtime.resources.nodeMaintenances, { name }, (draft) => {
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

  private cancelDrain(name: string): void {
    this.drains.get(name)?.cancel();
    this.drains.delete(name);
  }

  private finishOnDeletion(nm: KubeObject): void {
    const name = nameOf(nm);
    this.cancelDrain(name);
    if (!hasFinalizer(nm, NODE_MAINTENANCE_FINALIZER)) return;
    this.uncordon(asText(nm.spec?.nodeName) ?? "");
    this.mutate(this.runtime.resources.nodeMaintenances, { name }, (draft) =>
      withoutFinalizer(draft, NODE_MAINTENANCE_FINALIZER),
    );
    this.event(nm, "Normal", "RemovedMaintenance", "Removed a node maintenance");
  }
}
