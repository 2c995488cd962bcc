/**
 * The storm guard: whether this round may fence at all. Many hosts dying at once is far less likely
 * than the control plane, a switch or a zone losing sight of them, and fencing hosts that are alive
 * behind a partition only turns an outage into data loss. So no node is fenced when:
 *  - no node looks healthy any more (the control plane sees no one: it is the one cut off);
 *  - a whole zone of at least two nodes went dark while others still look healthy (a partition or a
 *    zone outage, not host failures);
 *  - a FailoverPolicy has more failed nodes than its maxUnhealthy allows.
 *
 * "Looks healthy" is a protected node assessed healthy, or a node no policy protects whose Ready is
 * True. A suspect node is not healthy: it counts towards a dark zone or a blind control plane, as
 * a partition shows first as stale Leases everywhere with the Ready verdicts following one by one.
 * A dark zone is judged as it stands, not by how close together its nodes failed.
 *
 * maxUnhealthy's percentage is taken of the nodes the policy protects (those it is the first
 * matching policy for, as in detection) and rounded down, the cautious way: 40% of 5 nodes is 2,
 * 40% of 3 is 1. NodeHealthCheck's early maxUnhealthy and Cluster API's MachineHealthCheck round
 * down too; NodeHealthCheck since 2025 rounds maxUnhealthy up (it converts it into minHealthy).
 */
import { listed } from "../model/listed.ts";
import type { ClusterModel, NodeInfo } from "../model/cluster.ts";
import { resolveIntOrPercent } from "../schema/fields.ts";
import type { PolicySet } from "../policy/policy-set.ts";
import { failoverPolicyFor } from "./detect.ts";
import type { NodeHealth, StormVerdict } from "./types.ts";

interface Looks {
  readonly node: NodeInfo;
  /** The FailoverPolicy protecting the node, by name. */
  readonly policy: string | undefined;
  readonly failed: boolean;
  readonly healthy: boolean;
}

function looksOf(model: ClusterModel, health: readonly NodeHealth[], policies: PolicySet): Looks[] {
  const byName = new Map(health.map((entry) => [entry.node, entry]));
  return model.nodes.map((node) => {
    const policy = failoverPolicyFor(policies, node)?.metadata.name;
    const assessed = byName.get(node.name);
    if (assessed === undefined) return { node, policy, failed: false, healthy: node.ready.status === "True" };
    return { node, policy, failed: assessed.state === "failed", healthy: assessed.state === "healthy" };
  });
}

function names(looks: readonly Looks[]): string {
  return listed(
    looks.map((entry) => entry.node.name),
    5,
  );
}

function blindControlPlane(looks: readonly Looks[]): string | undefined {
  if (looks.some((entry) => entry.healthy)) return undefined;
  const failed = looks.filter((entry) => entry.failed).length;
  return (
    `no node looks healthy (${failed} of ${looks.length} failed, the rest suspect or not Ready): ` +
    "the control plane sees no one, so it is the one cut off"
  );
}

function darkZones(looks: readonly Looks[]): string[] {
  if (!looks.some((entry) => entry.healthy)) return [];
  const zones = new Map<string, Looks[]>();
  for (const entry of looks) {
    if (entry.node.zone === "") continue;
    zones.set(entry.node.zone, [...(zones.get(entry.node.zone) ?? []), entry]);
  }
  const reasons: string[] = [];
  for (const [zone, members] of [...zones].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const failed = members.filter((entry) => entry.failed);
    if (members.length < 2 || failed.length === 0 || members.some((entry) => entry.healthy)) continue;
    const healthyElsewhere = looks.filter((entry) => entry.healthy).length;
    reasons.push(
      `zone ${zone} went dark as a whole (${failed.length} of its ${members.length} nodes failed, none healthy; ` +
        `${healthyElsewhere} healthy elsewhere): a partition or a zone outage, not host failures`,
    );
  }
  return reasons;
}

function overMaxUnhealthy(looks: readonly Looks[], policies: PolicySet): string[] {
  const reasons: string[] = [];
  for (const policy of policies.failover) {
    const mine = looks.filter((entry) => entry.policy === policy.metadata.name);
    const failed = mine.filter((entry) => entry.failed);
    const limit = resolveIntOrPercent(policy.spec.maxUnhealthy, mine.length);
    if (failed.length <= limit) continue;
    const allowed =
      typeof policy.spec.maxUnhealthy === "number" ? `${limit}` : `${policy.spec.maxUnhealthy} = ${limit}`;
    reasons.push(
      `FailoverPolicy ${policy.metadata.name}: ${failed.length} of its ${mine.length} nodes failed (${names(failed)}), ` +
        `more than maxUnhealthy ${allowed}`,
    );
  }
  return reasons;
}

/** Whether fencing must wait this round, and why; `hold` stops fencing on every node. */
export function stormGuard(model: ClusterModel, health: readonly NodeHealth[], policies: PolicySet): StormVerdict {
  const looks = looksOf(model, health, policies);
  const failed = looks.filter((entry) => entry.failed);
  if (failed.length === 0) return { hold: false, reason: "no node has failed" };
  const blind = blindControlPlane(looks);
  const reasons = [...(blind === undefined ? [] : [blind]), ...darkZones(looks), ...overMaxUnhealthy(looks, policies)];
  if (reasons.length > 0) return { hold: true, reason: `no fencing: ${reasons.join("; ")}` };
  return {
    hold: false,
    reason: `${failed.length} failed (${names(failed)}), within every policy's maxUnhealthy and no zone dark`,
  };
}
