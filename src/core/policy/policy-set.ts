/**
 * The policy set: every valid document by kind, checked against each other (no two of a kind
 * share a name). This is what the core plans with.
 */
import { type Labels, type LabelSelector, labelSelectorMatches } from "../model/selectors.ts";
import type { FieldError } from "./field-error.ts";
import { type PolicyDocument, type PolicyKind, type PolicyOf, policyDocumentSchemas } from "./document.ts";

export interface PolicySource {
  readonly file: string;
  readonly line: number;
}

export type Policy<K extends PolicyKind> = PolicyOf<K> & { readonly source?: PolicySource | undefined };

export interface PolicySet {
  readonly balance: readonly Policy<"BalancePolicy">[];
  readonly placementRules: readonly Policy<"PlacementRule">[];
  readonly migrationProfiles: readonly Policy<"MigrationProfile">[];
  readonly maintenance: readonly Policy<"MaintenancePolicy">[];
  readonly failover: readonly Policy<"FailoverPolicy">[];
}

export const EMPTY_POLICY_SET: PolicySet = {
  balance: [],
  placementRules: [],
  migrationProfiles: [],
  maintenance: [],
  failover: [],
};

/** One document found in a source, for cross-document checks. */
export interface LocatedDocument {
  readonly document: PolicyDocument;
  readonly source?: PolicySource | undefined;
}

export interface CrossDocumentError extends FieldError {
  /** Index into the documents given to `assemblePolicySet`. */
  readonly document: number;
}

function byName<T extends { metadata: { name: string } }>(a: T, b: T): number {
  return a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0;
}

/** Groups documents by kind, sorted by name, and reports duplicate names within a kind. */
export function assemblePolicySet(documents: readonly LocatedDocument[]): {
  set: PolicySet;
  errors: CrossDocumentError[];
} {
  const errors: CrossDocumentError[] = [];
  const seen = new Map<string, number>();
  const kept: LocatedDocument[] = [];
  documents.forEach((located, index) => {
    const key = `${located.document.kind}/${located.document.metadata.name}`;
    const first = seen.get(key);
    if (first !== undefined) {
      const firstSource = documents[first]?.source;
      const where = firstSource ? ` (first defined in ${firstSource.file}:${firstSource.line})` : "";
      errors.push({
        document: index,
        type: "Duplicate",
        path: ["metadata", "name"],
        message: `${key} is defined twice${where}`,
      });
      return;
    }
    seen.set(key, index);
    kept.push(located);
  });
  const withSource = <K extends PolicyKind>(kind: K): Policy<K>[] =>
    kept
      .filter((located) => located.document.kind === kind)
      .map((located) => ({ ...(located.document as PolicyOf<K>), source: located.source }))
      .sort(byName);
  return {
    set: {
      balance: withSource("BalancePolicy"),
      placementRules: withSource("PlacementRule"),
      migrationProfiles: withSource("MigrationProfile"),
      maintenance: withSource("MaintenancePolicy"),
      failover: withSource("FailoverPolicy"),
    },
    errors,
  };
}

/** How many policies of all kinds the set holds. */
export function countPolicies(set: PolicySet): number {
  return (
    set.balance.length +
    set.placementRules.length +
    set.migrationProfiles.length +
    set.maintenance.length +
    set.failover.length
  );
}

/** A BalancePolicy with every default, for clusters that have none. */
export function defaultBalancePolicy(): Policy<"BalancePolicy"> {
  return policyDocumentSchemas.BalancePolicy.parse({
    apiVersion: "kubedrs.io/v1alpha1",
    kind: "BalancePolicy",
    metadata: { name: "default" },
  });
}

/** The BalancePolicy whose cluster-wide settings apply (usage source, the context of non-balance placements): the first by name, or the default. */
export function primaryBalancePolicy(policies: PolicySet): Policy<"BalancePolicy"> {
  return policies.balance[0] ?? defaultBalancePolicy();
}

interface NodeScoped {
  readonly metadata: { readonly name: string };
  readonly spec: { readonly nodeSelector: LabelSelector };
}

/** Of the policies whose nodeSelector matches a node's labels, the first by name: the one that governs the node. */
export function governingPolicy<P extends NodeScoped>(policies: readonly P[], labels: Labels): P | undefined {
  let chosen: P | undefined;
  for (const policy of policies) {
    if (chosen !== undefined && chosen.metadata.name <= policy.metadata.name) continue;
    if (labelSelectorMatches(policy.spec.nodeSelector, labels)) chosen = policy;
  }
  return chosen;
}
