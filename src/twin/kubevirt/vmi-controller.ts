/**
 * virt-controller's VMI controller (kubevirt/kubevirt pkg/virt-controller/watch/vmi/vmi.go and
 * lifecycle.go): creates the virt-launcher pod of a new VMI, mirrors the pod into the VMI's status,
 * fails a VMI whose pod is gone, deletes the pods of a deleted VMI and lets the VMI go once they are gone.
 */
import type { KubeObject } from "../api/types.ts";
import type { Controller } from "../runtime/runtime.ts";
import { hasCondition, setCondition } from "./conditions.ts";
import type { KubeVirtContext } from "./context.ts";
import { controllerUid, isDeleting, keyOf, nameOf, namespaceOf, splitKey, textAt, uidOf } from "./fields.ts";
import { renderLauncherPod } from "./launcher-pod.ts";
import { isMigrationRunning } from "./migration-status.ts";
import { ACTOR, ANNOTATION, COMPONENT, UNPAUSED_CONDITION } from "./names.ts";
import { podIsDownOrGoingDown, podIsReady } from "./pods.ts";
import { evacuationNodeOf, isFinal, isUnprocessed } from "./vmi-spec.ts";
import { currentPodOf, nextVmiStatus } from "./vmi-status.ts";
import { WorkQueue } from "./work-queue.ts";
import { jsonEqual } from "../api/json-equal.ts";

const WRITE = { actor: ACTOR.controller } as const;

export class VmiController implements Controller {
  readonly name = "kubevirt/vmi-controller";
  private readonly context: KubeVirtContext;
  private readonly queue: WorkQueue;
  private readonly unsubscribe: (() => void)[];

  constructor(context: KubeVirtContext) {
    this.context = context;
    this.queue = new WorkQueue(context.clock, (key) => this.sync(key));
    const { store, resources } = context;
    this.unsubscribe = [
      store.subscribe(resources.virtualMachineInstances, (event) => this.queue.add(keyOf(event.object))),
      store.subscribe(resources.pods, (event) => this.enqueueOwner(event.object)),
      store.subscribe(resources.migrations, (event) => {
        const vmiName = textAt(event.object, "spec", "vmiName");
        if (vmiName) this.queue.add(`${namespaceOf(event.object)}/${vmiName}`);
      }),
      store.subscribe(resources.virtualMachines, (event) => this.queue.add(keyOf(event.object))),
    ];
    for (const vmi of store.list(resources.virtualMachineInstances)) this.queue.add(keyOf(vmi));
  }

  stop(): void {
    this.queue.stop();
    for (const unsubscribe of this.unsubscribe) unsubscribe();
  }

  private enqueueOwner(pod: KubeObject): void {
    const owner = pod.metadata.ownerReferences?.find(
      (ref) => ref.controller === true && ref.kind === "VirtualMachineInstance",
    );
    if (owner) this.queue.add(`${namespaceOf(pod)}/${owner.name}`);
  }

  private sync(key: string): void {
    const { namespace, name } = splitKey(key);
    const { store, resources } = this.context;
    const vmi = store.get(resources.virtualMachineInstances, namespace, name);
    if (!vmi) return;
    if (isDeleting(vmi)) this.deletePods(vmi);
    else if (!isFinal(vmi)) this.syncPod(vmi);
    this.updateStatus(key);
  }

  private ownedPods(vmi: KubeObject): KubeObject[] {
    return this.context.indexes.podsOf(uidOf(vmi));
  }

  /**
   * deleteAllMatchingPods: every pod not already terminating. (KubeVirt deletes finished terminating pods
   * again; the API server ignores that, but the twin's store would record a change each time.)
   */
  private deletePods(vmi: KubeObject): void {
    for (const pod of this.ownedPods(vmi)) {
      if (isDeleting(pod)) continue;
      this.context.store.delete(this.context.resources.pods, namespaceOf(pod), nameOf(pod), WRITE);
      this.context.event(vmi, {
        type: "Normal",
        reason: "SuccessfulDelete",
        message: `Deleted virtual machine pod ${nameOf(pod)}`,
        component: COMPONENT.vmi,
      });
    }
  }

  private syncPod(vmi: KubeObject): void {
    const pod = currentPodOf(vmi, this.ownedPods(vmi), this.context.indexes.creationOrder);
    if (!pod) {
      if (isUnprocessed(vmi) && !this.hasActiveMigration(vmi) && !this.hasPodUnderWay(vmi)) this.createPod(vmi);
      return;
    }
    if (podIsReady(pod)) this.syncPodAnnotations(vmi, pod);
  }

  /**
   * KubeVirt's pod-creation expectations: while a pod it created is still alive, it creates no other,
   * even when the VMI's node name hides that pod from the current-pod lookup.
   */
  private hasPodUnderWay(vmi: KubeObject): boolean {
    return this.ownedPods(vmi).some((pod) => !podIsDownOrGoingDown(pod));
  }

  private hasActiveMigration(vmi: KubeObject): boolean {
    return this.context.indexes.migrationsOf(keyOf(vmi)).some(isMigrationRunning);
  }

  private createPod(vmi: KubeObject): void {
    const firstPod = this.ownedPods(vmi).length === 0;
    const manifest = renderLauncherPod(vmi, this.context.config(), { initialPlacement: firstPod });
    const pod = this.context.store.create(this.context.resources.pods, manifest, WRITE);
    this.context.event(vmi, {
      type: "Normal",
      reason: "SuccessfulCreate",
      message: `Created virtual machine pod ${nameOf(pod)}`,
      component: COMPONENT.vmi,
    });
  }

  /** The descheduler annotations: request-evict-only always; eviction-in-progress while the VMI evacuates. */
  private syncPodAnnotations(vmi: KubeObject, pod: KubeObject): void {
    const annotations = pod.metadata.annotations ?? {};
    const evacuating = evacuationNodeOf(vmi) !== "";
    const marked = ANNOTATION.evictionInProgress in annotations;
    if (ANNOTATION.evictOnly in annotations && evacuating === marked) return;
    this.context.store.mutate(
      this.context.resources.pods,
      { namespace: namespaceOf(pod), name: nameOf(pod) },
      (draft) => {
        const next: Record<string, string> = { ...draft.metadata.annotations, [ANNOTATION.evictOnly]: "" };
        if (evacuating) next[ANNOTATION.evictionInProgress] = "true";
        else delete next[ANNOTATION.evictionInProgress];
        draft.metadata.annotations = next;
      },
      WRITE,
    );
  }

  private updateStatus(key: string): void {
    const { namespace, name } = splitKey(key);
    const { store, resources } = this.context;
    const vmi = store.get(resources.virtualMachineInstances, namespace, name);
    if (!vmi) return;
    const ownedPods = this.ownedPods(vmi);
    const pod = currentPodOf(vmi, ownedPods, this.context.indexes.creationOrder);
    if (pod) this.syncUnpausedCondition(pod);
    const update = nextVmiStatus({
      vmi,
      pod,
      ownedPods,
      hasOwnerVm: this.hasOwnerVm(vmi),
      nowIso: this.context.nowIso(),
    });
    for (const warning of update.warnings) {
      this.context.event(vmi, { type: "Warning", ...warning, component: COMPONENT.vmi });
    }
    if (!jsonEqual(update.status, vmi.status ?? {})) {
      store.mutate(
        resources.virtualMachineInstances,
        { namespace, name },
        (draft) => {
          draft.status = update.status;
        },
        { ...WRITE, subresource: "status" },
      );
    }
    const metadataChanged =
      !jsonEqual(update.labels, vmi.metadata.labels ?? {}) ||
      !jsonEqual(update.finalizers, vmi.metadata.finalizers ?? []);
    if (!metadataChanged) return;
    // Written last: dropping the last finalizer of a deleted VMI removes it.
    store.mutate(
      resources.virtualMachineInstances,
      { namespace, name },
      (draft) => {
        draft.metadata.labels = update.labels;
        draft.metadata.finalizers = update.finalizers;
      },
      WRITE,
    );
  }

  private hasOwnerVm(vmi: KubeObject): boolean {
    const owner = controllerUid(vmi, "VirtualMachine");
    if (owner === undefined) return false;
    const vm = this.context.store.get(this.context.resources.virtualMachines, namespaceOf(vmi), nameOf(vmi));
    return vm?.metadata.uid === owner;
  }

  /** syncPausedConditionToPod: the readiness gate's condition, True while the guest is not paused. */
  private syncUnpausedCondition(pod: KubeObject): void {
    if (hasCondition(pod, UNPAUSED_CONDITION, "True") || isDeleting(pod)) return;
    this.context.store.mutate(
      this.context.resources.pods,
      { namespace: namespaceOf(pod), name: nameOf(pod) },
      (draft) => {
        setCondition(
          (draft.status ??= {}),
          {
            type: UNPAUSED_CONDITION,
            status: "True",
            reason: "NotPaused",
            message: "the virtual machine is not paused",
          },
          this.context.nowIso(),
        );
      },
      { ...WRITE, subresource: "status" },
    );
  }
}
