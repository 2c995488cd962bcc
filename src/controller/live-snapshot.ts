/**
 * A snapshot of a live cluster, for the one-shot commands (`kubedrs plan|explain|snapshot capture
 * --kubeconfig`): the controller's cache listed once, one usage sample from the source the policies
 * name, laid over the objects exactly as a balance pass does. One sample is a point, not a window:
 * the plan is what the controller would decide on a fresh start, before its history fills.
 */
import type { KubeConfig } from "@kubernetes/client-node";
import { ApiClient } from "../adapters/kube/client/api-client.ts";
import type { ClusterSnapshot } from "../core/model/snapshot.ts";
import type { PolicySet } from "../core/policy/policy-set.ts";
import { snapshotWithUsage } from "./balance-pass.ts";
import { ClusterCache } from "./cache/cluster-cache.ts";
import { clusterMetricsSettings, usageSourceFor } from "./usage/select-source.ts";
import type { UsageSample } from "./usage/types.ts";
import { historySettingsOf, UsageHistory } from "./usage/usage-history.ts";
import { vmiKeysByUid } from "./usage/vmi-index.ts";
import { vmiByUidLabel } from "./usage/metrics-api-source.ts";

export interface LiveSnapshotOptions {
  readonly kubeconfig: KubeConfig;
  readonly policies: PolicySet;
  /** Milliseconds since the epoch: the snapshot's time and the sample's. */
  readonly now: number;
  readonly metricsSource?: "Auto" | "Prometheus" | "MetricsAPI";
}

export interface LiveSnapshot {
  readonly snapshot: ClusterSnapshot;
  /** Objects and metrics items left out, and a usage source that could not be read. */
  readonly warnings: readonly string[];
}

/** Raised when the cluster cannot be listed: names each resource and why. */
export class ClusterUnreadableError extends Error {
  readonly failures: readonly string[];

  constructor(failures: readonly string[]) {
    super("cannot read the cluster");
    this.name = "ClusterUnreadableError";
    this.failures = failures;
  }
}

/** "nodes: X", "pods: X", … as one line when every resource failed for the same reason (no server, no access). */
function sameReasonOnce(failures: readonly string[]): readonly string[] {
  // "vmis: GET /apis/…: fetch failed: …" — the reason is what follows the resource and the request.
  const reasons = new Set(failures.map((failure) => failure.replace(/^\S+: (?:[A-Z]+ \S+: )?/, "")));
  const [only] = reasons;
  return reasons.size === 1 && failures.length > 1 ? [`every resource: ${only}`] : failures;
}

const QUIET = { warn: (): void => undefined, debug: (): void => undefined };

async function listOnce(kubeconfig: KubeConfig): Promise<ClusterCache> {
  const cache = new ClusterCache({ api: new ApiClient(kubeconfig), log: QUIET });
  await cache.start("tried");
  cache.stop();
  const failures = cache.failures();
  if (failures.length > 0) throw new ClusterUnreadableError(sameReasonOnce(failures));
  return cache;
}

async function sampleOnce(
  options: LiveSnapshotOptions,
  cache: ClusterCache,
): Promise<{ sample?: UsageSample; warning?: string }> {
  const metrics = clusterMetricsSettings(options.policies);
  const vmiByUid = vmiKeysByUid(cache.list("vmis"));
  try {
    const source = usageSourceFor({ ...metrics, source: options.metricsSource ?? metrics.source }, options.kubeconfig, {
      vmiOf: (pod) => vmiByUidLabel(pod, vmiByUid),
    });
    return { sample: await source.sample(options.now) };
  } catch (error) {
    return { warning: `no usage sample, planning on requests only: ${(error as Error).message}` };
  }
}

export async function captureLiveSnapshot(options: LiveSnapshotOptions): Promise<LiveSnapshot> {
  const cache = await listOnce(options.kubeconfig);
  const { sample, warning } = await sampleOnce(options, cache);
  const history = new UsageHistory();
  if (sample) history.record(sample);
  const takenAt = new Date(options.now).toISOString();
  const usage = sample && history.summaries(options.now, historySettingsOf(clusterMetricsSettings(options.policies)));
  const { snapshot, warnings } = snapshotWithUsage(cache.objects(takenAt, `live-${takenAt}`), usage, sample);
  return { snapshot, warnings: [...(warning ? [warning] : []), ...warnings, ...(sample?.warnings ?? [])] };
}
