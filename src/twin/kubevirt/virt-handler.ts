/**
 * virt-handler's domain lifecycle on every reachable node (kubevirt/kubevirt pkg/virt-handler/vm.go):
 * starts the guest of a Scheduled VMI (the twin's truth records where guests run), reports Running
 * and the LiveMigratable condition, shuts a guest down when its VMI or pod is deleted (the VMI then
 * Succeeded, as in kubevirt/kubevirt#9823), fails a VMI whose guest is gone, and kills guests the API
 * no longer accounts for once their node is reachable again. A handler on an unreachable node does nothing.
 *
 * Simplification: a graceful shutdown completes at once. In KubeVirt the guest gets up to its grace
 * period; finishing first keeps the VMI's phase independent of how fast the simulated kubelet removes the pod.
 */
import type { KubeObject } from "../api/types.ts";
import type { TimerHandle } from "../clock/virtual-clock.ts";
import type { Controller } from "../runtime/runtime.ts";
import type { TruthEvent } from "../runtime/truth.ts";
import { conditionOf, setCondition } from "./conditions.ts";
import type { KubeVirtContext } from "./context.ts";
import { type Json, isDeleting, keyOf, nameOf, namespaceOf, splitKey, textAt, uidOf } from "./fields.ts";
import { liveMigratableCondition, migrationMethodOf } from "./live-migratable.ts";
import { ACTOR, ANNOTATION, COMPONENT } from "./names.ts";
import { podIsDown, podIsDownOrGoingDown, podIsReady, podNode } from "./pods.ts";
import { isFinal, vmiNode, vmiPhase, vmKeyOf } from "./vmi-spec.ts";
import { currentPodOf, stampPhase } from "./vmi-status.ts";
import { WorkQueue } from "./work-queue.ts";

/** How long virt-handler takes to define and start the domain once the pod is up (our estimate). */
export const DOMAIN_START_MS = 1000;

const WRITE = { actor: ACTOR.handler, subresource: "status" } as const;

export class VirtHandler implements Controller {
  readonly name = "kubevirt/virt-handler";
  private readonly context: KubeVirtContext;
  private readonly queue: WorkQueue;
  private readonly unsubscribe: (() => void)[];
  private readonly pendingStarts = new Map<string, TimerHandle>();

  constructor(context: KubeVirtContext) {
    this.context = context;
    this.queue = new WorkQueue(context.clock, (key) => this.sync(key));
    const { store, resources, runtime } = context;
    this.unsubscribe = [
      store.subscribe(resources.virtualMachineInstances, (event) => this.queue.add(keyOf(event.object))),
      store.subscribe(resources.pods, (event) => this.onPod(event.object, event.type === "DELETED")),
      runtime.truth.subscribe((event) => this.onTruth(event)),
    ];
  }

  stop(): void {
    this.queue.stop();
    for (const timer of this.pendingStarts.values()) this.context.clock.cancel(timer);
    for (const unsubscribe of this.unsubscribe) unsubscribe();
  }

  private reachable(node: string): boolean {
    return node !== "" && this.context.runtime.truth.isReachable(node);
  }

  private onPod(pod: KubeObject, deleted: boolean): void {
    const vmiName = pod.metadata.annotations?.[ANNOTATION.domain];
    if (vmiName === undefined) return;
    const key = `${namespaceOf(pod)}/${vmiName}`;
    this.queue.add(key);
    // The kubelet killed the container: a guest the launcher hosted there is gone.
    if (deleted && this.reachable(podNode(pod))) this.reapStrayGuest(key, podNode(pod));
  }

  /** A node came back: its virt-handler restarts, re-syncs its VMIs and kills guests nobody accounts for. */
  private onTruth(event: TruthEvent): void {
    if (event.type !== "host" || !this.reachable(event.node)) return;
    for (const vm of this.context.runtime.truth.vmsOn(event.node)) this.reapStrayGuest(vm, event.node);
    for (const vmi of this.context.indexes.vmisOn(event.node)) this.queue.add(keyOf(vmi));
  }

  /** Stops the guest of `vmKey` on `node` unless a live VMI there still has a live pod for it. */
  private reapStrayGuest(vmKey: string, node: string): void {
    const truth = this.context.runtime.truth;
    if (!truth.hostsOf(vmKey).includes(node)) return;
    const { namespace, name } = splitKey(vmKey);
    const vmi = this.context.store.get(this.context.resources.virtualMachineInstances, namespace, name);
    const pods = vmi ? this.context.indexes.podsOf(uidOf(vmi)) : [];
    const accounted =
      vmi !== undefined &&
      !isFinal(vmi) &&
      vmiNode(vmi) === node &&
      pods.some((pod) => podNode(pod) === node && !podIsDown(pod));
    if (!accounted) truth.stopVm(vmKey, node);
  }

  private sync(key: string): void {
    const { namespace, name } = splitKey(key);
    const vmi = this.context.store.get(this.context.resources.virtualMachineInstances, namespace, name);
    if (!vmi || !this.reachable(vmiNode(vmi))) return;
    const phase = vmiPhase(vmi);
    if (phase === "Scheduled") this.syncScheduled(vmi);
    else if (phase === "Running") this.syncRunning(vmi);
    else if (isFinal(vmi)) this.reapStrayGuest(key, vmiNode(vmi));
  }

  private currentPod(vmi: KubeObject): KubeObject | undefined {
    return currentPodOf(vmi, this.context.indexes.podsOf(uidOf(vmi)), this.context.indexes.creationOrder);
  }

  private syncScheduled(vmi: KubeObject): void {
    const pod = this.currentPod(vmi);
    if (isDeleting(vmi) || (pod !== undefined && podIsDownOrGoingDown(pod))) {
      // Nothing started yet: a deleted VMI ends cleanly, a launcher that went away fails it.
      this.finish(vmi, isDeleting(vmi) ? "Succeeded" : "Failed");
      return;
    }
    if (pod && podIsReady(pod)) this.scheduleStart(vmi);
  }

  /** The domain starts DOMAIN_START_MS after virt-handler first sees the pod ready, if all is still well then. */
  private scheduleStart(vmi: KubeObject): void {
    const uid = uidOf(vmi);
    if (this.pendingStarts.has(uid)) return;
    const key = keyOf(vmi);
    const timer = this.context.clock.after(DOMAIN_START_MS, () => {
      this.pendingStarts.delete(uid);
      const current = this.context.store.get(
        this.context.resources.virtualMachineInstances,
        namespaceOf(vmi),
        nameOf(vmi),
      );
      if (!current || uidOf(current) !== uid || vmiPhase(current) !== "Scheduled") return;
      if (!this.reachable(vmiNode(current)) || isDeleting(current)) return this.queue.add(key);
      const pod = this.currentPod(current);
      if (pod && podIsReady(pod)) this.startDomain(current);
    });
    this.pendingStarts.set(uid, timer);
  }

  private startDomain(vmi: KubeObject): void {
    const node = vmiNode(vmi);
    this.context.runtime.truth.startVm(vmKeyOf(vmi), node);
    if (!this.context.runtime.truth.hostsOf(vmKeyOf(vmi)).includes(node)) return;
    this.writeStatus(vmi, (status) => {
      status.phase = "Running";
      status.migrationMethod = migrationMethodOf(vmi);
      setCondition(status, this.liveMigratable(vmi), this.context.nowIso());
    });
    this.context.event(vmi, {
      type: "Normal",
      reason: "Started",
      message: "VirtualMachineInstance started.",
      component: COMPONENT.handler,
    });
  }

  private syncRunning(vmi: KubeObject): void {
    const pod = this.currentPod(vmi);
    const node = vmiNode(vmi);
    const guestRuns = this.context.runtime.truth.hostsOf(vmKeyOf(vmi)).includes(node);
    if (guestRuns && (isDeleting(vmi) || (pod !== undefined && isDeleting(pod) && !podIsDown(pod)))) {
      // The VMI or its launcher was deleted: the guest is shut down gracefully and the VMI succeeds.
      this.context.event(vmi, {
        type: "Normal",
        reason: "ShuttingDown",
        message: "Signaled Graceful Shutdown",
        component: COMPONENT.handler,
      });
      this.context.runtime.truth.stopVm(vmKeyOf(vmi), node);
      this.finish(vmi, "Succeeded");
      return;
    }
    if (!guestRuns || (pod !== undefined && podIsDown(pod))) {
      // The domain is gone and the launcher with it: virt-handler reports the VMI failed.
      this.context.runtime.truth.stopVm(vmKeyOf(vmi), node);
      this.finish(vmi, "Failed");
      return;
    }
    const condition = this.liveMigratable(vmi);
    const current = conditionOf(vmi, "LiveMigratable");
    if (textAt(current, "status") !== condition.status || textAt(current, "reason") !== condition.reason) {
      this.writeStatus(vmi, (status) => setCondition(status, condition, this.context.nowIso()));
    }
  }

  /** Stored objects are never mutated, so the node's own label map is read in place. */
  private nodeLabels(node: string): Readonly<Record<string, string>> {
    return this.context.store.get(this.context.resources.nodes, undefined, node)?.metadata.labels ?? {};
  }

  private liveMigratable(vmi: KubeObject): ReturnType<typeof liveMigratableCondition> {
    return liveMigratableCondition(vmi, this.nodeLabels(vmiNode(vmi)), this.context.config());
  }

  private finish(vmi: KubeObject, phase: "Succeeded" | "Failed"): void {
    this.writeStatus(vmi, (status) => {
      status.phase = phase;
    });
    const message =
      phase === "Succeeded" ? "The VirtualMachineInstance was shut down." : "The VirtualMachineInstance crashed.";
    this.context.event(vmi, {
      type: phase === "Succeeded" ? "Normal" : "Warning",
      reason: "Stopped",
      message,
      component: COMPONENT.handler,
    });
  }

  private writeStatus(vmi: KubeObject, change: (status: Json) => void): void {
    this.context.store.mutate(
      this.context.resources.virtualMachineInstances,
      { namespace: namespaceOf(vmi), name: nameOf(vmi) },
      (draft) => {
        const status = (draft.status ??= {});
        const before = textAt(status, "phase") ?? "";
        change(status);
        stampPhase(status, before, this.context.nowIso());
      },
      WRITE,
    );
  }
}
