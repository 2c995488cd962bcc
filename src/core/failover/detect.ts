/**
 * Host-failure detection. The kubelet's Lease in kube-node-lease is the first signal: it says whether
 * the node's agent still reaches the API server. A stale Lease makes a node suspect; it is failed
 * only when a second, independent signal agrees once the Lease is overdue: the Ready condition (the
 * node lifecycle controller's verdict, non-True for notReadyTimeout) or the host's BMC reporting its
 * power Off, read out of band after the last heartbeat. One late heartbeat, a Ready blip, or a host
 * cut off from the network whose BMC still says On is never host death on this path alone.
 *
 * The BMC reading is why detection is fast: Ready turns Unknown only after the node-monitor grace
 * period (50 s), while a powered-off host is known as soon as the Lease is overdue and its BMC asked.
 * A BMC that does not answer says nothing either way, and Ready decides as before.
 *
 * Maintenance and kubedrs' cordon do not exempt a node: a host can die while it is being drained, and
 * its VMs still need a restart. The reason says so, so nobody mistakes the verdict for the drain.
 */
import type { ClusterModel, NodeInfo, PowerReading } from "../model/cluster.ts";
import { KUBEDRS } from "../model/kubedrs-labels.ts";
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
function leaseSignal(node: NodeInfo, leaseTimeout: number, now: number): HealthSignal {
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
function readySignal(node: NodeInfo, notReadyTimeout: number, now: number): HealthSignal {
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

/**
 * Bad (and at once overdue: the BMC's word needs no debounce) when the BMC reported the host Off after
 * its last Lease renewal. A reading from before that heartbeat is about an outage already over.
 */
function powerSignal(power: PowerReading | undefined, lease: NodeInfo["lease"]): HealthSignal {
  if (power === undefined)
    return { name: "power", bad: false, overdue: false, since: undefined, detail: "power not read" };
  const { state, observedAt } = power;
  const why = power.detail === undefined ? "" : ` (${power.detail})`;
  if (lease !== undefined && observedAt <= lease.renewedAt) {
    const detail = `BMC said ${state} before the last heartbeat, so it says nothing of now`;
    return { name: "power", bad: false, overdue: false, since: undefined, detail };
  }
  const bad = state === "Off";
  const detail = state === "Unknown" ? `BMC did not answer${why}` : `BMC reports power ${state}${why}`;
  return { name: "power", bad, overdue: bad, since: bad ? observedAt : undefined, detail };
}

/** Failed: the Lease overdue and a second signal overdue with it. Suspect: any signal bad. */
function stateOf(signals: readonly HealthSignal[]): NodeHealthState {
  const [lease, ...confirmations] = signals;
  if (lease?.overdue === true && confirmations.some((signal) => signal.overdue)) return "failed";
  return signals.some((signal) => signal.bad) ? "suspect" : "healthy";
}

function reasonOf(node: NodeInfo, policy: FailoverPolicy, assessed: Omit<NodeHealth, "node" | "reason">): string {
  const { state, signals } = assessed;
  const details = signals.map((signal) => signal.detail).join("; ");
  const notes = [`FailoverPolicy ${policy.metadata.name}`];
  if (state !== "healthy" && node.maintenance !== undefined)
    notes.push(`in maintenance (${node.maintenance}), assessed all the same`);
  else if (state !== "healthy" && node.unschedulable) notes.push("cordoned, assessed all the same");
  return `${state}: ${details} [${notes.join("; ")}]`;
}

/** One node against its policy's detection timeouts. */
function assessNode(node: NodeInfo, policy: FailoverPolicy, now: number): NodeHealth {
  const { leaseTimeout, notReadyTimeout } = policy.spec.detection;
  const signals = [
    leaseSignal(node, leaseTimeout, now),
    readySignal(node, notReadyTimeout, now),
    powerSignal(node.power, node.lease),
  ];
  const state = stateOf(signals);
  return { node: node.name, state, signals, reason: reasonOf(node, policy, { state, signals }) };
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

/** A BMC to ask for its host's power state. */
export interface PowerQuery {
  readonly node: string;
  readonly url: string;
  readonly insecureSkipTLSVerify: boolean;
  /** Seconds one query may take, and between two queries of one BMC. */
  readonly timeout: number;
  readonly interval: number;
}

function systemUrlOf(node: NodeInfo, template: string | undefined): string | undefined {
  return node.annotations[KUBEDRS.redfishSystem] ?? template?.replaceAll("{node}", node.name);
}

/**
 * The BMCs worth asking now: those of protected nodes whose Lease is overdue, under a policy that
 * reads power status, with a URL from the node's annotation or the policy's template. A node with a
 * live Lease is never asked: the BMC is there to confirm a failure, not to watch healthy hosts.
 */
export function powerQueries(model: ClusterModel, policies: PolicySet, now: number): PowerQuery[] {
  const queries: PowerQuery[] = [];
  for (const node of model.nodes) {
    const spec = failoverPolicyFor(policies, node)?.spec.detection;
    const url = spec?.powerStatus && systemUrlOf(node, spec.powerStatus.systemUrl);
    if (spec?.powerStatus === undefined || url === undefined) continue;
    if (!leaseSignal(node, spec.leaseTimeout, now).overdue) continue;
    const { insecureSkipTLSVerify, timeout, interval } = spec.powerStatus;
    queries.push({ node: node.name, url, insecureSkipTLSVerify, timeout, interval });
  }
  return queries;
}
