/**
 * virt-controller's VM controller (kubevirt/kubevirt pkg/virt-controller/watch/vm/vm.go): keeps a
 * VM's instance as its run strategy says, creates VMIs from spec.template (SetupVMIFromVM), deletes
 * final ones, backs off starts that keep failing, and writes the VM's status. Deleting a VM stops
 * its VMI first (the VM's finalizer holds it until the VMI is gone), with or without a garbage collector.
 */
import type { Rng } from "../../core/numeric/rng.ts";
import type { KubeObject } from "../api/types.ts";
import type { Controller } from "../runtime/runtime.ts";
import { ORPHAN_ANNOTATION } from "../store/store.ts";
import type { KubeVirtContext } from "./context.ts";
import {
  controllerUid,
  dropFinalizer,
  hasFinalizer,
  isDeleting,
  keyOf,
  listAt,
  nameOf,
  namespaceOf,
  recordAt,
  splitKey,
  stringMapAt,
  textAt,
  timeAt,
  uidOf,
} from "./fields.ts";
import { ACTOR, ANNOTATION, COMPONENT, FINALIZER, KUBEVIRT_API_VERSION } from "./names.ts";
import { type RunDecision, type RunStrategy, decideRun, runStrategyOf } from "./vm-run-strategy.ts";
import { nextVmStatus } from "./vm-status.ts";
import { isFinal } from "./vmi-spec.ts";
import { WorkQueue } from "./work-queue.ts";
import { cloneJson } from "../api/json-clone.ts";
import { jsonEqual } from "../api/json-equal.ts";

const WRITE = { actor: ACTOR.controller } as const;

/** SetupVMIFromVM: the template's metadata and spec, named after the VM and controlled by it. */
export function vmiFromTemplate(vm: KubeObject, firstStart: boolean): KubeObject {
  const template = recordAt(vm, "spec", "template") ?? {};
  const labels = stringMapAt(template, "metadata", "labels");
  const annotations = stringMapAt(template, "metadata", "annotations");
  annotations[ANNOTATION.vmGeneration] = String(vm.metadata.generation ?? 1);
  // The twin's initial placement applies to the VM's first instance only; a restart is placed by the scheduler.
  if (!firstStart) delete annotations[ANNOTATION.initialNode];
  return {
    apiVersion: KUBEVIRT_API_VERSION,
    kind: "VirtualMachineInstance",
    metadata: {
      ...(Object.keys(labels).length > 0 && { labels }),
      annotations,
      name: nameOf(vm),
      namespace: namespaceOf(vm),
      ownerReferences: [
        {
          apiVersion: KUBEVIRT_API_VERSION,
          kind: "VirtualMachine",
          name: nameOf(vm),
          uid: uidOf(vm),
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
      finalizers: [FINALIZER.vmController],
    },
    spec: cloneJson(recordAt(template, "spec") ?? {}),
  };
}

export class VmController implements Controller {
  readonly name = "kubevirt/vm-controller";
  private readonly context: KubeVirtContext;
  private readonly queue: WorkQueue;
  private readonly unsubscribe: (() => void)[];
  private readonly rng: Rng;

  constructor(context: KubeVirtContext) {
    this.context = context;
    this.rng = context.runtime.rng("kubevirt/vm-controller");
    this.queue = new WorkQueue(context.clock, (key) => this.sync(key));
    const { store, resources } = context;
    this.unsubscribe = [
      store.subscribe(resources.virtualMachines, (event) => this.queue.add(keyOf(event.object))),
      // A VM's VMI has the VM's name; VMIs without an owning VM are left alone.
      store.subscribe(resources.virtualMachineInstances, (event) => {
        if (controllerUid(event.object, "VirtualMachine")) this.queue.add(keyOf(event.object));
      }),
    ];
    for (const vm of store.list(resources.virtualMachines)) this.queue.add(keyOf(vm));
  }

  stop(): void {
    this.queue.stop();
    for (const unsubscribe of this.unsubscribe) unsubscribe();
  }

  /** The VM's VMI: the one of the same name that the VM controls. */
  private instanceOf(vm: KubeObject): KubeObject | undefined {
    const vmi = this.context.store.get(this.context.resources.virtualMachineInstances, namespaceOf(vm), nameOf(vm));
    return vmi && controllerUid(vmi, "VirtualMachine") === uidOf(vm) ? vmi : undefined;
  }

  private sync(key: string): void {
    const { namespace, name } = splitKey(key);
    const vm = this.context.store.get(this.context.resources.virtualMachines, namespace, name);
    if (!vm) return;
    const strategy = runStrategyOf(vm);
    if (isDeleting(vm)) this.syncDeletion(vm);
    else if (typeof strategy === "string") this.syncRunning(vm, strategy);
    this.writeStatus(key, typeof strategy === "string" ? strategy : undefined);
  }

  /** A deleted VM stops its VMI, then lets go; deleted with propagationPolicy Orphan it leaves the VMI running. */
  private syncDeletion(vm: KubeObject): void {
    const vmi = this.instanceOf(vm);
    const orphaning = vm.metadata.annotations?.[ORPHAN_ANNOTATION] === "true";
    if (vmi && !orphaning) {
      this.stopInstance(vm, vmi);
      return;
    }
    this.context.store.mutate(
      this.context.resources.virtualMachines,
      { namespace: namespaceOf(vm), name: nameOf(vm) },
      (draft) => dropFinalizer(draft, FINALIZER.vmController),
      WRITE,
    );
  }

  private syncRunning(vm: KubeObject, strategy: RunStrategy): void {
    if (!hasFinalizer(vm, FINALIZER.vmController)) {
      this.context.store.mutate(
        this.context.resources.virtualMachines,
        { namespace: namespaceOf(vm), name: nameOf(vm) },
        (draft) => {
          draft.metadata.finalizers = [...(draft.metadata.finalizers ?? []), FINALIZER.vmController];
        },
        WRITE,
      );
    }
    const vmi = this.instanceOf(vm);
    const sameNameForeign =
      !vmi && this.context.store.get(this.context.resources.virtualMachineInstances, namespaceOf(vm), nameOf(vm));
    if (sameNameForeign) return;
    this.carryOut(vm, vmi, decideRun(vm, vmi, strategy));
  }

  private carryOut(vm: KubeObject, vmi: KubeObject | undefined, decision: RunDecision): void {
    if (decision.stop && vmi) this.stopInstance(vm, vmi);
    if (decision.addStartRequest) this.addStartRequest(vm);
    if (decision.switchToAlways) this.switchToAlways(vm);
    if (decision.start && !vmi) this.startInstance(vm);
  }

  private stopInstance(vm: KubeObject, vmi: KubeObject): void {
    if (isDeleting(vmi)) return;
    this.context.store.delete(this.context.resources.virtualMachineInstances, namespaceOf(vmi), nameOf(vmi), WRITE);
    this.context.event(vm, {
      type: "Normal",
      reason: "SuccessfulDelete",
      message: `Stopped the virtual machine by deleting the virtual machine instance ${uidOf(vmi)}`,
      component: COMPONENT.vm,
    });
  }

  private addStartRequest(vm: KubeObject): void {
    this.context.store.mutate(
      this.context.resources.virtualMachines,
      { namespace: namespaceOf(vm), name: nameOf(vm) },
      (draft) => {
        const status = (draft.status ??= {});
        status.stateChangeRequests = [...listAt(status, "stateChangeRequests"), { action: "Start" }];
      },
      { ...WRITE, subresource: "status" },
    );
  }

  private switchToAlways(vm: KubeObject): void {
    this.context.store.mutate(
      this.context.resources.virtualMachines,
      { namespace: namespaceOf(vm), name: nameOf(vm) },
      (draft) => {
        const spec = (draft.spec ??= {});
        if (typeof spec.running === "boolean") spec.running = true;
        else spec.runStrategy = "Always";
      },
      WRITE,
    );
  }

  private startInstance(vm: KubeObject): void {
    const retryAt = timeAt(vm, "status", "startFailure", "retryAfterTimestamp");
    if (retryAt !== undefined && retryAt > this.context.now()) {
      this.queue.add(keyOf(vm), retryAt - this.context.now());
      return;
    }
    const firstStart = textAt(vm, "status", "runStrategy") === undefined;
    const vmi = this.context.store.create(
      this.context.resources.virtualMachineInstances,
      vmiFromTemplate(vm, firstStart),
      WRITE,
    );
    this.context.event(vm, {
      type: "Normal",
      reason: "SuccessfulCreate",
      message: `Started the virtual machine by creating the new virtual machine instance ${nameOf(vmi)}`,
      component: COMPONENT.vm,
    });
  }

  private writeStatus(key: string, strategy: RunStrategy | undefined): void {
    const { namespace, name } = splitKey(key);
    const vm = this.context.store.get(this.context.resources.virtualMachines, namespace, name);
    if (!vm) return;
    const vmi = this.instanceOf(vm);
    const status = nextVmStatus({
      vm,
      vmi,
      strategy,
      now: this.context.now(),
      nowIso: this.context.nowIso(),
      rng: this.rng,
    });
    if (!jsonEqual(status, vm.status ?? {})) {
      this.context.store.mutate(
        this.context.resources.virtualMachines,
        { namespace, name },
        (draft) => {
          draft.status = status;
        },
        { ...WRITE, subresource: "status" },
      );
    }
    if (vmi && isFinal(vmi) && hasFinalizer(vmi, FINALIZER.vmController)) this.releaseInstance(vmi);
  }

  /** Removes the VM controller's finalizer from a final VMI once its status has been recorded on the VM. */
  private releaseInstance(vmi: KubeObject): void {
    this.context.store.mutate(
      this.context.resources.virtualMachineInstances,
      { namespace: namespaceOf(vmi), name: nameOf(vmi) },
      (draft) => dropFinalizer(draft, FINALIZER.vmController),
      WRITE,
    );
  }
}
