/**
 * Whether a maintenance-and-failover round has anything to do, read from the cached objects
 * themselves so a healthy, quiet cluster never pays for a model of itself: a round builds one for
 * 30,000 VMs in seconds, and rounds may come several times a second. Something to do is a
 * maintenance request or status, an incident under way, a condition a Proactive HA policy lists, or a
 * protected node one of whose health signals is bad (Ready not True, its Lease stale or missing).
 */
import { readIncident } from "./failover/incident.ts";
import { KUBEDRS } from "../core/model/kubedrs-labels.ts";
import type { PolicySet } from "../core/policy/policy-set.ts";
import type { JsonObject } from "../adapters/kube/convert/meta.ts";

export interface CachedView {
  readonly nodes: readonly JsonObject[];
  readonly leases: readonly JsonObject[];
  readonly nodeMaintenances: number;
}

interface NodeShape {
  readonly metadata?: { readonly name?: string; readonly annotations?: Readonly<Record<string, string>> };
  readonly status?: { readonly conditions?: readonly { readonly type?: string; readonly status?: string }[] };
}

const MARKS = [KUBEDRS.maintenance, KUBEDRS.evacuation];

/** A maintenance request or status, or an incident still under way (a recovered one stays as a record). */
function marked(node: NodeShape): boolean {
  const annotations = node.metadata?.annotations ?? {};
  if (MARKS.some((mark) => mark in annotations)) return true;
  const incident = readIncident(annotations);
  return incident !== undefined && incident.phase !== "Recovered";
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

export function roundWanted(view: CachedView, policies: PolicySet, now: number): boolean {
  if (view.nodeMaintenances > 0) return true;
  const nodes = view.nodes as readonly NodeShape[];
  if (nodes.some((node) => marked(node) || degraded(node, policies))) return true;
  if (policies.failover.length === 0) return false;
  // The shortest leaseTimeout of any policy: a node is looked at as soon as any policy could call it suspect.
  const staleAfter = Math.min(...policies.failover.map((policy) => policy.spec.detection.leaseTimeout)) * 1000;
  const renewed = renewals(view.leases);
  return nodes.some((node) => unwell(node, renewed.get(node.metadata?.name ?? ""), staleAfter, now));
}
