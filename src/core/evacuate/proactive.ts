/**
 * Proactive HA: a node whose hardware reports trouble (a node-problem-detector condition the
 * MaintenancePolicy lists, held for its `for`) is evacuated before it fails. Rate-limited, so a
 * flapping condition cannot churn the cluster: one proactive evacuation per node per `minInterval`,
 * and `maxPerHour` cluster-wide. Pure: the history of earlier proactive evacuations is an input.
 */
import type { ClusterModel, NodeInfo } from "../model/cluster.ts";
import { formatDuration } from "../model/quantity.ts";
import type { PolicySet } from "../policy/policy-set.ts";
import { maintenancePolicyFor } from "./actions.ts";
import { evacuationRefusal, withMaintenance } from "./request.ts";

export interface ProactiveRecord {
  readonly node: string;
  /** Milliseconds since the epoch. */
  readonly at: number;
}

export interface ProactiveDecision {
  /** Nodes to evacuate now, with the condition that triggered it. */
  readonly start: readonly { readonly node: string; readonly reason: string }[];
  /** Nodes with a triggering condition that wait, and why. */
  readonly held: readonly { readonly node: string; readonly reason: string }[];
}

const HOUR_MS = 3_600_000;

/** "KernelDeadlock=True for 3m" when a listed condition has held long enough, else undefined. */
function trigger(policies: PolicySet, node: NodeInfo, now: number): string | undefined {
  const proactive = maintenancePolicyFor(policies, node)?.spec.proactive;
  if (!proactive?.enabled) return undefined;
  for (const wanted of proactive.conditions) {
    const seen = node.conditions.find((condition) => condition.type === wanted.type);
    if (!seen || seen.status !== wanted.status || seen.since === undefined) continue;
    const held = now - seen.since;
    if (held >= wanted.for * 1000) return `${wanted.type}=${wanted.status} for ${formatDuration(held / 1000)}`;
  }
  return undefined;
}

export function proactiveEvacuations(
  model: ClusterModel,
  policies: PolicySet,
  now: number,
  history: readonly ProactiveRecord[],
): ProactiveDecision {
  const start: { node: string; reason: string }[] = [];
  const held: { node: string; reason: string }[] = [];
  let lastHour = history.filter((record) => now - record.at < HOUR_MS).length;
  for (const node of [...model.nodes].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (node.maintenance) continue;
    const condition = trigger(policies, node, now);
    const proactive = maintenancePolicyFor(policies, node)?.spec.proactive;
    if (condition === undefined || !proactive) continue;
    const last = Math.max(0, ...history.filter((record) => record.node === node.name).map((record) => record.at));
    // Against the model with this call's starts in maintenance: two degraded nodes must not empty the cluster together.
    const refusal = evacuationRefusal(
      withMaintenance(model, new Map(start.map((entry) => [entry.node, entry.reason]))),
      node.name,
    );
    const wait =
      now - last < proactive.minInterval * 1000
        ? `evacuated proactively ${formatDuration((now - last) / 1000)} ago; at most once per ${formatDuration(proactive.minInterval)}`
        : lastHour >= proactive.maxPerHour
          ? `${lastHour} proactive evacuation(s) in the last hour; at most ${proactive.maxPerHour}`
          : refusal;
    if (wait !== undefined) {
      held.push({ node: node.name, reason: `${condition}, but ${wait}` });
      continue;
    }
    start.push({ node: node.name, reason: `proactive: ${condition}` });
    lastHour += 1;
  }
  return { start, held };
}
