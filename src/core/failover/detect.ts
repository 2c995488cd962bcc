/**
 * Host-failure detection: two independent signals per protected node. The kubelet's Lease in
 * kube-node-lease says whether the node's agent still reaches the API server; the Ready condition is
 * the node lifecycle controller's verdict. One bad signal makes a node suspect; it is failed only when
 * both are bad and each has been bad for its FailoverPolicy timeout, so one late heartbeat or a Ready
 * blip is never host death. Only nodes a FailoverPolicy selects are assessed.
 *
 * Maintenance and kubedrs' cordon do not exempt a node: a host can die while it is being drained, and
 * its VMs still need a restart. The reason says so, so nobody mistakes the verdict for the drain.
 */
import type { ClusterModel, NodeInfo } from "../model/cluster.ts";
import { formatDuration } from "../model/quantity.ts";
import { governingPolicy, type Policy, type PolicySet } from "../policy/policy-set.ts";
import type { HealthSignal, NodeHealth, NodeHealthState } from "./types.ts";

export type FailoverPolicy = Policy<"FailoverPolicy">;

const MS = 1000;

/** The FailoverPolicy protecting a node: the first by name whose nodeSelector matches it. */
export function failoverPolicyFor(policies: PolicySet, node: NodeInfo): FailoverPolicy | undefined {
  return governingPolicy(policies.failover, node.labels);
}

function seconds(ms: number): string {
  return formatDuration(Math.max(0, ms) / MS);
}

/** Bad once the Lease has gone unrenewed for longer than leaseTimeout; a node without a Lease is bad too. */
export function leaseSignal(node: NodeInfo, leaseTimeout: number, now: number): HealthSignal {
  const timeout = formatDuration(leaseTimeout);
  if (node.lease === undefined) {
    const detail = `no Lease in kube-node-lease, so no heartbeat to go by (timeout ${timeout})`;
    return { name: "lease", bad: true, overdue: true, since: undefined, detail };
  }
  const silent = now - node.lease.renewedAt;
  const bad = silent > leaseTimeout * MS;
  const detail = bad
    ? `Lease not renewed for ${seconds(silent)} (timeout ${timeout})`
    : `Lease renewed ${seconds(silent)} ago (timeout ${timeout})`;
  return {
    name: "lease",
    bad,
    overdue: bad,
    since: bad ? node.lease.renewedAt + leaseTimeout * MS : undefined,
    detail,
  };
}

/** Bad while Ready is not True; overdue once it has been so for notReadyTimeout (from its lastTransitionTime). */
export function readySignal(node: NodeInfo, notReadyTimeout: number, now: number): HealthSignal {
  const { status, since } = node.ready;
  const timeout = formatDuration(notReadyTimeout);
  if (status === "True") return { name: "ready", bad: false, overdue: false, since: undefined, detail: "Ready=True" };
  if (since === undefined) {
    // Without a transition time nothing shows how long it has lasted: never count it against the timeout.
    const detail = `Ready=${status} since an unknown time, so not counted against the ${timeout} timeout`;
    return { name: "ready", bad: true, overdue: false, since: undefined, detail };
  }
  const held = now - since;
  const overdue = held >= notReadyTimeout * MS;
  const detail = overdue
    ? `Ready=${status} for ${seconds(held)} (timeout ${timeout})`
    : `Ready=${status} for ${seconds(held)}, not yet ${timeout}`;
  return { name: "ready", bad: true, overdue, since, detail };
}

function stateOf(signals: readonly HealthSignal[]): NodeHealthState {
  if (signals.every((signal) => signal.bad && signal.overdue)) return "failed";
  return signals.some((signal) => signal.bad) ? "suspect" : "healthy";
}

function reasonOf(node: NodeInfo, policy: FailoverPolicy, signals: readonly HealthSignal[]): string {
  const details = signals.map((signal) => signal.detail).join("; ");
  const state = stateOf(signals);
  const notes = [`FailoverPolicy ${policy.metadata.name}`];
  if (state !== "healthy" && node.maintenance !== undefined)
    notes.push(`in maintenance (${node.maintenance}), assessed all the same`);
  else if (state !== "healthy" && node.unschedulable) notes.push("cordoned, assessed all the same");
  return `${state}: ${details} [${notes.join("; ")}]`;
}

/** One node against its policy's detection timeouts. */
export function assessNode(node: NodeInfo, policy: FailoverPolicy, now: number): NodeHealth {
  const { leaseTimeout, notReadyTimeout } = policy.spec.detection;
  const signals = [leaseSignal(node, leaseTimeout, now), readySignal(node, notReadyTimeout, now)];
  return { node: node.name, state: stateOf(signals), signals, reason: reasonOf(node, policy, signals) };
}

/** Every node a FailoverPolicy selects, in name order; nodes no policy selects are not protected and left out. */
export function assessNodes(model: ClusterModel, policies: PolicySet, now: number): NodeHealth[] {
  const health: NodeHealth[] = [];
  for (const node of model.nodes) {
    const policy = failoverPolicyFor(policies, node);
    if (policy !== undefined) health.push(assessNode(node, policy, now));
  }
  return health;
}
