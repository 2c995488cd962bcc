/**
 * What `kubectl drain` and `kubectl top` need beyond the API: simulated kubelets that finish a
 * graceful pod deletion, and metrics.k8s.io numbers for a node. The probes ask a throwaway twin
 * the same question the gated tests depend on, so those tests run by themselves once the twin's
 * controllers provide the behaviour.
 */
import { Twin } from "../../src/twin/twin.ts";
import { namespaceObject, nodeObject, podObject, seed } from "./cluster.ts";

/** A machine in the twin's ground truth with its Node object: what a kubelet and metrics need. */
export function seedHost(twin: Twin, name: string, ip: string): void {
  twin.runtime.truth.addHost(name);
  seed(twin, nodeObject(name, ip));
}

/** Lets virtual time run, `stepMs` every few milliseconds of wall time, until `work` settles. */
export async function whileTimeRuns<T>(twin: Twin, work: Promise<T>, stepMs = 1_000): Promise<T> {
  const pump = setInterval(() => twin.advance(stepMs), 5);
  try {
    return await work;
  } finally {
    clearInterval(pump);
  }
}

export interface Capabilities {
  /** A graceful delete of a pod bound to a host ends with the pod gone (a kubelet confirmed it). */
  readonly kubelets: boolean;
  /** metrics.k8s.io serves NodeMetrics for a host. */
  readonly nodeMetrics: boolean;
}

export async function probeControllers(): Promise<Capabilities> {
  const twin = Twin.create({ seed: 3, start: Date.parse("2025-06-01T08:00:00Z") });
  try {
    const url = await twin.listen(0);
    seedHost(twin, "probe-host", "10.9.0.1");
    seed(
      twin,
      namespaceObject("probe"),
      podObject("probe-pod", "probe", (pod) => (pod.spec!.nodeName = "probe-host")),
    );
    twin.advance(60_000);
    const metrics = (await (await fetch(`${url}/apis/metrics.k8s.io/v1beta1/nodes`)).json()) as { items?: unknown[] };
    const { store, resources } = twin.runtime;
    if (store.get(resources.pods, "probe", "probe-pod")) store.delete(resources.pods, "probe", "probe-pod");
    twin.advance(120_000);
    return {
      kubelets: store.get(resources.pods, "probe", "probe-pod") === undefined,
      nodeMetrics: (metrics.items?.length ?? 0) > 0,
    };
  } finally {
    await twin.stop();
  }
}
