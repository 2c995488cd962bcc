/** Simulated KubeVirt: VM → VMI → virt-launcher pod, migrations, evacuation and KubeVirt's webhooks. (Being built.) */
import type { Controller, TwinRuntime } from "../runtime/runtime.ts";

export interface KubeVirtSimulation {
  readonly controllers: readonly Controller[];
  /** KubeVirt's eviction webhook for virt-launcher pods: throws an ApiError (429) when the VMI evacuates instead. */
  admitEviction(namespace: string, name: string, body: unknown): void;
}

export function startKubeVirt(_runtime: TwinRuntime): KubeVirtSimulation {
  return { controllers: [], admitEviction: () => undefined };
}
