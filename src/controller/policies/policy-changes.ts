/**
 * What differs between two policy sets, policy by policy ("BalancePolicy/general changed"). Where a
 * policy sits in its file is not part of it: moving a document or editing a comment changes nothing.
 */
import type { PolicySet } from "../../core/policy/policy-set.ts";

export type ChangeType = "added" | "changed" | "removed";

export interface PolicyChange {
  readonly change: ChangeType;
  /** "<Kind>/<name>" */
  readonly policy: string;
}

/** JSON with object keys sorted, so two equal policies print the same whatever the key order they were written in. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => canonical(item ?? null)).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const fields = Object.entries(value)
      .filter(([, field]) => field !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, field]) => `${JSON.stringify(key)}:${canonical(field)}`);
    return `{${fields.join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

function policies(set: PolicySet): Map<string, string> {
  const all = [...set.balance, ...set.placementRules, ...set.migrationProfiles, ...set.maintenance, ...set.failover];
  return new Map(
    all.map(({ source: _source, ...policy }) => [`${policy.kind}/${policy.metadata.name}`, canonical(policy)]),
  );
}

/** Every policy added, changed or removed from `before` to `after`, sorted by kind and name. */
export function policyChanges(before: PolicySet, after: PolicySet): PolicyChange[] {
  const old = policies(before);
  const next = policies(after);
  const changes: PolicyChange[] = [];
  for (const [policy, text] of next) {
    const previous = old.get(policy);
    if (previous === undefined) changes.push({ change: "added", policy });
    else if (previous !== text) changes.push({ change: "changed", policy });
  }
  for (const policy of old.keys()) if (!next.has(policy)) changes.push({ change: "removed", policy });
  return changes.sort((a, b) => (a.policy < b.policy ? -1 : a.policy > b.policy ? 1 : 0));
}
