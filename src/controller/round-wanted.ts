/**
 * Whether a maintenance-and-failover round has anything to do, read from the cached objects
 * themselves so a healthy, quiet cluster never pays for a model of itself: a round builds one for
 * 30,000 VMs in seconds, and rounds may come several times a second. Something to do is a
 * maintenance request or status, a condition a Proactive HA policy lists, an incident under way, or a
 * protected node one of whose health signals is bad (Ready not True, its Lease stale or missing under
 * the policy that protects it). A host that stays dead after its incident ended (recovered elsewhere,
 * or fencing gave up) asks for nothing until it is back: its stale Lease would otherwise ask every
 * round, for ever.
 */
import { cameBackSince, type Incident, readIncident } from "./failover/incident.ts";
import { KUBEDRS } from "../core/model/kubedrs-labels.ts";
import { governingPolicy, type PolicySet } from "../core/policy/policy-set.ts";
import type { JsonObject } from "../adapters/kube/convert/meta.ts";

interface CachedView {
  readonly nodes: readonly JsonObject[];
  readonly leases: readonly JsonObject[];
  readonly nodeMaintenances: number;
}

interface NodeShape {
  readonly metadata?: {
    readonly name?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
  };
  readonly status?: { readonly conditions?: readonly { readonly type?: string; readonly status?: string }[] };
}

const MARKS = [KUBEDRS.maintenance, KUBEDRS.evacuation];

/** A maintenance request or status. */
function marked(node: NodeShape): boolean {
  const annotations = node.metadata?.annotations ?? {};
  return MARKS.some((mark) => mark in annotations);
}

/** Does a node carry a condition some enabled Proactive HA policy lists, with the listed status? */
function degraded(node: NodeShape, policies: PolicySet): boolean {
  const conditions = node.status?.conditions ?? [];
  return policies.maintenance.some(
    (policy) =>
      policy.spec.proactive.enabled &&
      policy.spec.proactive.conditions.some((wanted) =>
        conditions.some((condition) => condition.type === wanted.type && condition.status === wanted.status),
      ),
  );
}

/** Lease renew times by node name (the Lease in kube-node-lease is named after its node). */
function renewals(leases: readonly JsonObject[]): Map<string, number> {
  const times = new Map<string, number>();
  for (const lease of leases) {
    const { metadata, spec } = lease as { metadata?: { name?: string }; spec?: { renewTime?: string } };
    const at = Date.parse(spec?.renewTime ?? "");
    if (metadata?.name !== undefined && !Number.isNaN(at)) times.set(metadata.name, at);
  }
  return times;
}

function unwell(node: NodeShape, renewedAt: number | undefined, staleAfter: number, now: number): boolean {
  const ready = node.status?.conditions?.find((condition) => condition.type === "Ready");
  return ready?.status !== "True" || renewedAt === undefined || now - renewedAt > staleAfter;
}

/** Given the node's incident (if any) and whether a signal is bad: does failover have work on it? */
function incidentWants(incident: Incident | undefined, bad: boolean, renewedAt: number | undefined): boolean {
  switch (incident?.phase) {
    case undefined:
      return bad;
    case "Fencing":
    case "Fenced":
      return true;
    case "FencingFailed":
      // Closed once the host is back; until then there is nothing to do.
      return !bad;
    case "Recovered":
      // A new failure only once the host came back after this one.
      return bad && cameBackSince(incident, renewedAt);
  }
}

/** Failover's interest in a protected node: an incident under way, one to close or replace, or a bad signal. */
function failoverWants(node: NodeShape, policies: PolicySet, renewedAt: number | undefined, now: number): boolean {
  const policy = governingPolicy(policies.failover, node.metadata?.labels ?? {});
  if (policy === undefined) return false;
  const bad = unwell(node, renewedAt, policy.spec.detection.leaseTimeout * 1000, now);
  return incidentWants(readIncident(node.metadata?.annotations ?? {}), bad, renewedAt);
}

export function roundWanted(view: CachedView, policies: PolicySet, now: number): boolean {
  if (view.nodeMaintenances > 0) return true;
  const nodes = view.nodes as readonly NodeShape[];
  if (nodes.some((node) => marked(node) || degraded(node, policies))) return true;
  if (policies.failover.length === 0) return false;
  const renewed = renewals(view.leases);
  return nodes.some((node) => failoverWants(node, policies, renewed.get(node.metadata?.name ?? ""), now));
}
