/**
 * Simulated KubeVirt: VM → VMI → virt-launcher pod, virt-handler's domains and heartbeat, live
 * migrations played on the core's cost model, evacuation, and KubeVirt's webhooks — each a small
 * controller on the twin's store and virtual clock, following kubevirt/kubevirt v1.9.0.
 */
import type { Controller, TwinRuntime } from "../runtime/runtime.ts";
import { KubeVirtContext } from "./context.ts";
import { EvacuationController } from "./evacuation-controller.ts";
import { admitLauncherEviction } from "./eviction.ts";
import { Heartbeat } from "./heartbeat.ts";
import { migrationAdmission } from "./migration-admission.ts";
import { MigrationController } from "./migration-controller.ts";
import { MigrationRunner } from "./migration-runner.ts";
import { NodeController } from "./node-controller.ts";
import { VirtHandler } from "./virt-handler.ts";
import { VmController } from "./vm-controller.ts";
import { vmiAdmission } from "./vmi-admission.ts";
import { VmiController } from "./vmi-controller.ts";

export interface KubeVirtSimulation {
  readonly controllers: readonly Controller[];
  /** KubeVirt's eviction webhook for virt-launcher pods: throws an ApiError (429) when the VMI evacuates instead. */
  admitEviction(namespace: string, name: string, body: unknown): void;
}

export function startKubeVirt(runtime: TwinRuntime): KubeVirtSimulation {
  const context = new KubeVirtContext(runtime);
  runtime.store.admit(runtime.resources.virtualMachineInstances, vmiAdmission(context));
  runtime.store.admit(runtime.resources.migrations, migrationAdmission(context));
  const controllers: Controller[] = [
    new VmController(context),
    new VmiController(context),
    new VirtHandler(context),
    new Heartbeat(context),
    new NodeController(context),
    new MigrationController(context),
    new MigrationRunner(context),
    new EvacuationController(context),
    { name: "kubevirt/indexes", stop: () => context.stop() },
  ];
  return {
    controllers,
    admitEviction: (namespace, name, body) => admitLauncherEviction(context, namespace, name, body),
  };
}
