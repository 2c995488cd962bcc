/**
 * virt-controller's evacuation controller (kubevirt/kubevirt pkg/virt-controller/watch/drain/
 * evacuation/evacuation.go): for each node, the VMIs marked for eviction from it (or all of them on a
 * node with the deprecated drain taint) that want to and can live-migrate, and have no migration yet,
 * get a VirtualMachineInstanceMigration of priority system-critical (system-maintenance when the
 * descheduler asked). The migration controller's limits and its backoff after failed evacuations pace them.
 */
import type { KubeObject } from "../api/types.ts";
import type { Controller } from "../runtime/runtime.ts";
import { hasCondition } from "./conditions.ts";
import type { KubeVirtContext } from "./context.ts";
import { isDeleting, keyOf, listAt, nameOf, namespaceOf, textAt } from "./fields.ts";
import { activePodCount } from "./migration-gates.ts";
import { isMigrationFinal } from "./migration-status.ts";
import { ACTOR, ANNOTATION, COMPONENT, KUBEVIRT_API_VERSION } from "./names.ts";
import { evacuationNodeOf, evictionStrategyOf, isFinal, isMigrating, vmiNode } from "./vmi-spec.ts";
import { WorkQueue } from "./work-queue.ts";

export class EvacuationController implements Controller {
  readonly name = "kubevirt/evacuation-controller";
  private readonly context: KubeVirtContext;
  private readonly queue: WorkQueue;
  private readonly unsubscribe: (() => void)[];

  constructor(context: KubeVirtContext) {
    this.context = context;
    this.queue = new WorkQueue(context.clock, (node) => this.sync(node));
    const { store, resources } = context;
    this.unsubscribe = [
      store.subscribe(resources.nodes, (event) => this.queue.add(nameOf(event.object))),
      store.subscribe(resources.virtualMachineInstances, (event) => this.enqueueNodeOf(event.object)),
      store.subscribe(resources.migrations, (event) => {
        const vmi = store.get(
          resources.virtualMachineInstances,
          namespaceOf(event.object),
          textAt(event.object, "spec", "vmiName") ?? "",
        );
        if (vmi) this.enqueueNodeOf(vmi);
      }),
    ];
  }

  stop(): void {
    this.queue.stop();
    for (const unsubscribe of this.unsubscribe) unsubscribe();
  }

  private enqueueNodeOf(vmi: KubeObject): void {
    const node = vmiNode(vmi);
    if (node !== "") this.queue.add(node);
  }

  private hasDrainTaint(node: KubeObject): boolean {
    const key = this.context.config().nodeDrainTaintKey;
    return listAt(node, "spec", "taints").some(
      (taint) => textAt(taint, "key") === key && textAt(taint, "effect") === "NoSchedule",
    );
  }

  /** vmisToMigrate: all of a drain-tainted node's VMIs, else those marked for eviction that have not left yet. */
  private vmisToMigrate(node: KubeObject): KubeObject[] {
    const vmis = this.context.indexes.vmisOn(nameOf(node));
    if (this.hasDrainTaint(node)) return vmis;
    return vmis.filter(
      (vmi) =>
        evacuationNodeOf(vmi) !== "" && evacuationNodeOf(vmi) === vmiNode(vmi) && !isMigrating(vmi, this.context.now()),
    );
  }

  /** VMIMigratableOnEviction: LiveMigrate always wants to, LiveMigrateIfPossible only when migratable. */
  private wantsToMigrate(vmi: KubeObject): boolean {
    const strategy = evictionStrategyOf(vmi) ?? this.context.config().evictionStrategy;
    if (strategy === "LiveMigrate") return true;
    return strategy === "LiveMigrateIfPossible" && hasCondition(vmi, "LiveMigratable", "True");
  }

  /** filterRunningNonMigratingVMIs. */
  private isCandidate(vmi: KubeObject): boolean {
    if (isFinal(vmi) || isDeleting(vmi)) return false;
    if (!this.wantsToMigrate(vmi) || !hasCondition(vmi, "LiveMigratable", "True")) return false;
    const unfinished = this.context.indexes.migrationsOf(keyOf(vmi)).some((migration) => !isMigrationFinal(migration));
    return !unfinished && activePodCount(this.context, vmi) <= 1;
  }

  private sync(nodeName: string): void {
    const node = this.context.store.get(this.context.resources.nodes, undefined, nodeName);
    if (!node) return;
    for (const vmi of this.vmisToMigrate(node).filter((candidate) => this.isCandidate(candidate))) {
      this.createMigration(vmi, nodeName);
    }
  }

  /** GenerateNewMigration. */
  private createMigration(vmi: KubeObject, nodeName: string): void {
    const fromDescheduler = vmi.metadata.annotations?.[ANNOTATION.evictionSource] === "descheduler";
    const migration = this.context.store.create(
      this.context.resources.migrations,
      {
        apiVersion: KUBEVIRT_API_VERSION,
        kind: "VirtualMachineInstanceMigration",
        metadata: {
          generateName: "kubevirt-evacuation-",
          namespace: namespaceOf(vmi),
          annotations: { [ANNOTATION.evacuationMigration]: nodeName },
        },
        spec: { vmiName: nameOf(vmi), priority: fromDescheduler ? "system-maintenance" : "system-critical" },
      },
      { actor: ACTOR.controller },
    );
    this.context.event(vmi, {
      type: "Normal",
      reason: "SuccessfulCreate",
      message: `Created Migration ${nameOf(migration)}`,
      component: COMPONENT.evacuation,
    });
  }
}
