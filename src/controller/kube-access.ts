/**
 * Every Kubernetes API access the controller makes, in one place. deploy/rbac.yaml grants exactly
 * these (a test compares the two both ways), so the code cannot start using an API the
 * deployment does not allow, and the deployment grants nothing the code does not use.
 */
import { POLICY_RESOURCES } from "../core/policy/resources.ts";
import { BMC_CREDENTIALS_SECRET } from "./failover/power-status.ts";

/** Kubernetes authorization verbs, as RBAC spells them. */
export type KubeVerb = "get" | "list" | "watch" | "create" | "update" | "patch" | "delete" | "deletecollection";

export interface KubeAccess {
  /** "" for the core group. */
  readonly apiGroup: string;
  /** The plural, or `plural/subresource`. */
  readonly resource: string;
  readonly verbs: readonly KubeVerb[];
  /** `cluster`: a ClusterRole; `namespace`: a Role in the controller's own namespace. */
  readonly scope: "cluster" | "namespace";
  /** Only these objects; unset means any. RBAC cannot limit `create` (or list/watch) by name. */
  readonly resourceNames?: readonly string[];
}

/** The Lease the replicas elect a leader over (`--leader-election-id`). */
export const LEADER_LEASE_NAME = "kubedrs-leader";

/** The policy kinds' plurals in kubedrs.io, as the CRDs in deploy/crds/ serve them. */
export const POLICY_PLURALS = POLICY_RESOURCES.map((resource) => resource.plural);

export const KUBE_ACCESS: readonly KubeAccess[] = [
  // The cluster the controller reads: nodes, launcher pods, namespaces (kubedrs.io/exclude). Nodes
  // are patched to cordon and uncordon them for maintenance and to keep an evacuation's progress.
  { apiGroup: "", resource: "nodes", verbs: ["get", "list", "watch", "patch"], scope: "cluster" },
  // Launcher pods; a fenced node's are deleted when the FailoverPolicy releases by DeletePods.
  { apiGroup: "", resource: "pods", verbs: ["list", "watch", "delete"], scope: "cluster" },
  { apiGroup: "", resource: "namespaces", verbs: ["list", "watch"], scope: "cluster" },
  // Events explain each move on the VMI; patch folds repeats into a count.
  { apiGroup: "", resource: "events", verbs: ["create", "patch"], scope: "cluster" },
  // Node heartbeats in kube-node-lease, for host-failure detection.
  { apiGroup: "coordination.k8s.io", resource: "leases", verbs: ["list", "watch"], scope: "cluster" },
  // VMIs are patched to carry the label that selects a MigrationProfile's MigrationPolicy, and
  // deleted to restart elsewhere a VM that cannot leave a node in maintenance (MaintenancePolicy).
  {
    apiGroup: "kubevirt.io",
    resource: "virtualmachineinstances",
    verbs: ["get", "list", "watch", "patch", "delete"],
    scope: "cluster",
  },
  // VMs are held back (run strategy Halted) after a host failure until their restart priority's turn.
  { apiGroup: "kubevirt.io", resource: "virtualmachines", verbs: ["get", "list", "watch", "patch"], scope: "cluster" },
  // One migration per move; deleting one cancels it.
  {
    apiGroup: "kubevirt.io",
    resource: "virtualmachineinstancemigrations",
    verbs: ["list", "watch", "create", "delete"],
    scope: "cluster",
  },
  // KubeVirt's migration limits (parallelMigrationsPerCluster and the rest).
  { apiGroup: "kubevirt.io", resource: "kubevirts", verbs: ["list", "watch"], scope: "cluster" },
  // MigrationProfiles are rendered into MigrationPolicies kubedrs owns.
  {
    apiGroup: "migrations.kubevirt.io",
    resource: "migrationpolicies",
    verbs: ["list", "watch", "create", "update", "delete"],
    scope: "cluster",
  },
  { apiGroup: "nodemaintenance.medik8s.io", resource: "nodemaintenances", verbs: ["list", "watch"], scope: "cluster" },
  // Power fencing: a FenceAgentsRemediation made from the FailoverPolicy's template, then read for its
  // verdict; one an earlier incident left is deleted, so its verdict never confirms a new failure.
  {
    apiGroup: "fence-agents-remediation.medik8s.io",
    resource: "fenceagentsremediationtemplates",
    verbs: ["list"],
    scope: "cluster",
  },
  {
    apiGroup: "fence-agents-remediation.medik8s.io",
    resource: "fenceagentsremediations",
    verbs: ["get", "create", "delete"],
    scope: "cluster",
  },
  // Self-fencing when power fencing is not possible: a SelfNodeRemediation from the policy's template.
  {
    apiGroup: "self-node-remediation.medik8s.io",
    resource: "selfnoderemediationtemplates",
    verbs: ["list"],
    scope: "cluster",
  },
  {
    apiGroup: "self-node-remediation.medik8s.io",
    resource: "selfnoderemediations",
    verbs: ["get", "create", "delete"],
    scope: "cluster",
  },
  // Usage when no Prometheus is configured.
  { apiGroup: "metrics.k8s.io", resource: "nodes", verbs: ["list"], scope: "cluster" },
  { apiGroup: "metrics.k8s.io", resource: "pods", verbs: ["list"], scope: "cluster" },
  ...POLICY_PLURALS.map((resource): KubeAccess => ({
    apiGroup: "kubedrs.io",
    resource,
    verbs: ["get", "list", "watch"],
    scope: "cluster",
  })),
  // Leader election, in the controller's namespace: any name can only be granted for create, so
  // reading and renewing are limited to the one Lease.
  { apiGroup: "coordination.k8s.io", resource: "leases", verbs: ["create"], scope: "namespace" },
  {
    apiGroup: "coordination.k8s.io",
    resource: "leases",
    verbs: ["get", "update"],
    scope: "namespace",
    resourceNames: [LEADER_LEASE_NAME],
  },
  // The BMC credentials for reading a suspect host's power state over Redfish: that one Secret only.
  { apiGroup: "", resource: "secrets", verbs: ["get"], scope: "namespace", resourceNames: [BMC_CREDENTIALS_SECRET] },
];
