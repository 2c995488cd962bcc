/**
 * The policy kinds as Kubernetes custom resources: group, version, plural and short names, said once
 * for the CRD source, the CRDs in deploy/, the RBAC and the twin.
 */
import type { PolicyKind } from "./document.ts";

export const POLICY_GROUP = "kubedrs.io";
export const POLICY_VERSION = "v1alpha1";

export interface PolicyResource {
  readonly kind: PolicyKind;
  readonly plural: string;
  readonly shortNames: readonly string[];
}

/** Cluster-scoped, in this order (the order `kubectl get kubedrs` lists them). */
export const POLICY_RESOURCES: readonly PolicyResource[] = [
  { kind: "BalancePolicy", plural: "balancepolicies", shortNames: ["bp"] },
  { kind: "PlacementRule", plural: "placementrules", shortNames: ["pr"] },
  { kind: "MigrationProfile", plural: "migrationprofiles", shortNames: ["mprof"] },
  { kind: "MaintenancePolicy", plural: "maintenancepolicies", shortNames: ["mp"] },
  { kind: "FailoverPolicy", plural: "failoverpolicies", shortNames: ["fp"] },
];
