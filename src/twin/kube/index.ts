/**
 * Simulated Kubernetes for the twin: the parts of the API server's admission, kube-scheduler,
 * the kubelets, kube-controller-manager (node lifecycle, taint eviction, pod GC, garbage
 * collector, namespaces, service accounts, node IPAM, disruption budgets) and the medik8s operators
 * (NodeMaintenance, FenceAgentsRemediation, SelfNodeRemediation) that a KubeVirt cluster's
 * behaviour under maintenance and host failure depends on.
 */
import type { Controller, TwinRuntime } from "../runtime/runtime.ts";
import { DisruptionController } from "./disruption/disruption-controller.ts";
import { evictPod } from "./disruption/eviction.ts";
import { GarbageCollector } from "./garbage-collector.ts";
import { KubeletManager } from "./kubelet/kubelet-manager.ts";
import { FenceAgentsRemediationController } from "./medik8s/fence-agents-remediation.ts";
import { FenceAgentsTemplateController } from "./medik8s/far-template.ts";
import { NodeMaintenanceController } from "./medik8s/node-maintenance.ts";
import { SelfNodeRemediationController } from "./medik8s/self-node-remediation.ts";
import { NamespaceController } from "./namespace-controller.ts";
import { admitPodsAndNodes } from "./node-lifecycle/admission.ts";
import { NodeIpamController } from "./node-lifecycle/node-ipam.ts";
import { NodeLifecycleController } from "./node-lifecycle/node-lifecycle-controller.ts";
import { PodGarbageCollector } from "./node-lifecycle/pod-gc.ts";
import { TaintEvictionController } from "./node-lifecycle/taint-eviction.ts";
import { type KubernetesOptions, resolveSettings } from "./options.ts";
import { Scheduler } from "./scheduler/scheduler.ts";
import { ServiceAccountController } from "./service-account-controller.ts";
import { PodIndex } from "./shared/pod-index.ts";

export type { KubernetesOptions, KubernetesSettings } from "./options.ts";
export { INITIAL_NODE_ANNOTATION } from "./scheduler/scheduler.ts";

export interface KubernetesSimulation {
  readonly controllers: readonly Controller[];
  /** The default eviction: PodDisruptionBudgets, then a graceful delete. Throws an ApiError (429) when refused. */
  evict(namespace: string, name: string, body: unknown): void;
}

export function startKubernetes(runtime: TwinRuntime, options: KubernetesOptions = {}): KubernetesSimulation {
  const settings = resolveSettings(options);
  admitPodsAndNodes(runtime.store, runtime.resources, settings.nodeLifecycle.defaultTolerationSeconds);
  // The index subscribes first, so every controller reading it sees each change already applied.
  const pods = new PodIndex(runtime.store, runtime.resources.pods);
  const controllers: Controller[] = [
    { name: "pod-index", stop: () => pods.stop() },
    new NamespaceController(runtime),
    new ServiceAccountController(runtime),
    new NodeIpamController(runtime, settings.network),
    new Scheduler(runtime, settings.scheduler),
    new KubeletManager(runtime, settings.kubelet, pods),
    new NodeLifecycleController(runtime, settings.nodeLifecycle, pods),
    new TaintEvictionController(runtime, pods),
    new PodGarbageCollector(runtime, settings.podGc, pods),
    new GarbageCollector(runtime),
    new DisruptionController(runtime),
    new NodeMaintenanceController(runtime, settings.nodeMaintenance, pods),
    new FenceAgentsRemediationController(runtime, settings.fenceAgents),
    new FenceAgentsTemplateController(runtime),
    new SelfNodeRemediationController(runtime, settings.selfNodeRemediation, pods),
  ];
  return {
    controllers,
    evict: (namespace, name, body) => evictPod(runtime, namespace, name, body),
  };
}
