/** Simulated Kubernetes: scheduler, kubelets, node lifecycle, garbage collection, namespaces, medik8s. (Being built.) */
import type { Controller, TwinRuntime } from "../runtime/runtime.ts";

export interface KubernetesSimulation {
  readonly controllers: readonly Controller[];
  /** The default eviction: PodDisruptionBudgets, then a graceful delete. Throws an ApiError (429) when refused. */
  evict(namespace: string, name: string, body: unknown): void;
}

export function startKubernetes(runtime: TwinRuntime): KubernetesSimulation {
  return {
    controllers: [],
    evict(namespace, name) {
      runtime.store.delete(runtime.resources.pods, namespace, name, { actor: "eviction" });
    },
  };
}
