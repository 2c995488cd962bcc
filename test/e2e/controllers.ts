/**
 * What `kubectl drain` and `kubectl top` need beyond the API: simulated kubelets that finish a
 * graceful pod deletion, and metrics.k8s.io numbers for a node. The twin always runs both, so the
 * tests that need them run unconditionally and fail if either breaks.
 */
import type { Twin } from "../../src/twin/twin.ts";
import { nodeObject, seed } from "./cluster.ts";

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
