/**
 * The resources the twin serves: one table of group, version, kind, names, scope, verbs,
 * subresources, selectable fields and printer columns. Discovery, routing, tables and the store
 * all read it, so a resource is described once.
 */
import { POLICY_GROUP, POLICY_RESOURCES, POLICY_VERSION } from "../../core/policy/resources.ts";
import { type KubeObject, isRecord } from "./types.ts";

export interface Column {
  readonly name: string;
  readonly type: "string" | "integer" | "date";
  readonly format?: "name";
  readonly priority?: number;
  readonly description: string;
  /** The cell, given the object and the virtual time in milliseconds. */
  readonly cell: (object: KubeObject, now: number) => string | number;
}

export interface ResourceType {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly plural: string;
  readonly singular: string;
  readonly namespaced: boolean;
  readonly shortNames: readonly string[];
  readonly categories: readonly string[];
  readonly verbs: readonly string[];
  readonly subresources: readonly string[];
  /** Field selectors beyond metadata.name and metadata.namespace. */
  readonly fields: readonly string[];
  readonly columns: readonly Column[];
  /** Computed on read (metrics.k8s.io): never stored, only get and list. */
  readonly virtual?: boolean;
}

const ALL_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"] as const;

export function apiVersionOf(type: ResourceType): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}

export function typeKey(type: Pick<ResourceType, "group" | "plural">): string {
  return type.group ? `${type.plural}.${type.group}` : type.plural;
}

/** "5m", "3h", "2d": the age format kubectl prints. */
export function age(timestamp: unknown, now: number): string {
  if (typeof timestamp !== "string") return "<unknown>";
  const seconds = Math.max(0, Math.floor((now - Date.parse(timestamp)) / 1000));
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return `${minutes}m${seconds % 60 ? `${seconds % 60}s` : ""}`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h`;
  return `${Math.floor(hours / 24)}d`;
}

function path(object: unknown, ...keys: string[]): unknown {
  let current = object;
  for (const key of keys) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function text(value: unknown): string {
  if (value === undefined || value === null || value === "") return "<none>";
  return typeof value === "string" ? value : JSON.stringify(value);
}

function conditionStatus(object: KubeObject, type: string): string {
  const conditions: unknown = path(object, "status", "conditions");
  if (!Array.isArray(conditions)) return "";
  const found: unknown = conditions.find((condition: unknown) => path(condition, "type") === type);
  const status = path(found, "status");
  return typeof status === "string" ? status : "";
}

const nameColumn: Column = {
  name: "Name",
  type: "string",
  format: "name",
  description: "Name of the object",
  cell: (o) => o.metadata.name ?? "",
};
const ageColumn: Column = {
  name: "Age",
  type: "string",
  description: "Time since creation",
  cell: (o, now) => age(o.metadata.creationTimestamp, now),
};

function column(name: string, cell: Column["cell"], priority = 0): Column {
  return { name, type: "string", description: name, cell, ...(priority > 0 && { priority }) };
}

function nodeStatus(node: KubeObject): string {
  const ready = conditionStatus(node, "Ready");
  const base = ready === "True" ? "Ready" : ready === "" || ready === "Unknown" ? "NotReady" : "NotReady";
  return path(node, "spec", "unschedulable") === true ? `${base},SchedulingDisabled` : base;
}

function nodeRoles(node: KubeObject): string {
  const roles = Object.keys(node.metadata.labels ?? {})
    .filter((key) => key.startsWith("node-role.kubernetes.io/"))
    .map((key) => key.slice("node-role.kubernetes.io/".length));
  return roles.length ? roles.sort().join(",") : "<none>";
}

function podReady(pod: KubeObject): string {
  const statuses = path(pod, "status", "containerStatuses");
  const containers = path(pod, "spec", "containers");
  const total = Array.isArray(containers) ? containers.length : 0;
  const ready = Array.isArray(statuses) ? statuses.filter((status) => path(status, "ready") === true).length : 0;
  return `${ready}/${total}`;
}

function podStatus(pod: KubeObject): string {
  if (pod.metadata.deletionTimestamp) return "Terminating";
  return text(path(pod, "status", "reason") ?? path(pod, "status", "phase"));
}

function involved(event: KubeObject): string {
  const kind = path(event, "involvedObject", "kind");
  const name = path(event, "involvedObject", "name");
  return `${typeof kind === "string" ? kind.toLowerCase() : ""}/${typeof name === "string" ? name : ""}`;
}

function count(value: unknown): number {
  return typeof value === "number" ? value : 0;
}

/** "80/TCP,443/TCP", as kubectl prints a Service's ports. */
function servicePorts(service: KubeObject): string {
  const ports = path(service, "spec", "ports");
  if (!Array.isArray(ports) || ports.length === 0) return "<none>";
  return ports.map((port) => `${text(path(port, "port"))}/${text(path(port, "protocol") ?? "TCP")}`).join(",");
}

function roleRef(binding: KubeObject): string {
  return `${text(path(binding, "roleRef", "kind"))}/${text(path(binding, "roleRef", "name"))}`;
}

interface Definition {
  readonly group?: string;
  readonly version: string;
  readonly kind: string;
  readonly plural: string;
  readonly namespaced: boolean;
  readonly shortNames?: readonly string[];
  readonly categories?: readonly string[];
  readonly verbs?: readonly string[];
  readonly subresources?: readonly string[];
  readonly fields?: readonly string[];
  readonly columns?: readonly Column[];
  readonly virtual?: boolean;
}

function define(definition: Definition): ResourceType {
  return {
    group: definition.group ?? "",
    version: definition.version,
    kind: definition.kind,
    plural: definition.plural,
    singular: definition.kind.toLowerCase(),
    namespaced: definition.namespaced,
    shortNames: definition.shortNames ?? [],
    categories: definition.categories ?? [],
    verbs: definition.verbs ?? ALL_VERBS,
    subresources: definition.subresources ?? [],
    fields: definition.fields ?? [],
    columns: [nameColumn, ...(definition.columns ?? [ageColumn])],
    ...(definition.virtual && { virtual: true }),
  };
}

export const RESOURCES: readonly ResourceType[] = [
  define({
    version: "v1",
    kind: "Namespace",
    plural: "namespaces",
    namespaced: false,
    shortNames: ["ns"],
    subresources: ["status"],
    fields: ["status.phase"],
    columns: [column("Status", (o) => text(path(o, "status", "phase"))), ageColumn],
  }),
  define({
    version: "v1",
    kind: "Node",
    plural: "nodes",
    namespaced: false,
    shortNames: ["no"],
    subresources: ["status"],
    fields: ["spec.unschedulable"],
    columns: [
      column("Status", nodeStatus),
      column("Roles", nodeRoles),
      ageColumn,
      column("Version", (o) => text(path(o, "status", "nodeInfo", "kubeletVersion"))),
      column(
        "Internal-IP",
        (o) => text((path(o, "status", "addresses") as { address?: string }[] | undefined)?.[0]?.address),
        1,
      ),
    ],
  }),
  define({
    version: "v1",
    kind: "Pod",
    plural: "pods",
    namespaced: true,
    shortNames: ["po"],
    categories: ["all"],
    subresources: ["status", "eviction"],
    fields: ["spec.nodeName", "status.phase"],
    columns: [
      column("Ready", podReady),
      column("Status", podStatus),
      column("Restarts", () => "0"),
      ageColumn,
      column("IP", (o) => text(path(o, "status", "podIP")), 1),
      column("Node", (o) => text(path(o, "spec", "nodeName")), 1),
    ],
  }),
  define({
    version: "v1",
    kind: "Event",
    plural: "events",
    namespaced: true,
    shortNames: ["ev"],
    fields: [
      "involvedObject.kind",
      "involvedObject.name",
      "involvedObject.namespace",
      "involvedObject.uid",
      "reason",
      "type",
      "source",
    ],
    columns: [
      column("Last Seen", (o, now) => age(o.lastTimestamp ?? o.eventTime ?? o.metadata.creationTimestamp, now)),
      column("Type", (o) => text(o.type)),
      column("Reason", (o) => text(o.reason)),
      column("Object", involved),
      column("Message", (o) => text(o.message)),
    ],
  }),
  define({
    group: "coordination.k8s.io",
    version: "v1",
    kind: "Lease",
    plural: "leases",
    namespaced: true,
    columns: [column("Holder", (o) => text(path(o, "spec", "holderIdentity"))), ageColumn],
  }),
  define({
    group: "policy",
    version: "v1",
    kind: "PodDisruptionBudget",
    plural: "poddisruptionbudgets",
    namespaced: true,
    shortNames: ["pdb"],
    subresources: ["status"],
  }),
  define({
    group: "kubevirt.io",
    version: "v1",
    kind: "VirtualMachine",
    plural: "virtualmachines",
    namespaced: true,
    shortNames: ["vm", "vms"],
    categories: ["all"],
    subresources: ["status"],
    columns: [
      ageColumn,
      column("Status", (o) => text(path(o, "status", "printableStatus"))),
      column("Ready", (o) => conditionStatus(o, "Ready") || "False"),
    ],
  }),
  define({
    group: "kubevirt.io",
    version: "v1",
    kind: "VirtualMachineInstance",
    plural: "virtualmachineinstances",
    namespaced: true,
    shortNames: ["vmi", "vmis"],
    categories: ["all"],
    subresources: ["status"],
    fields: ["status.phase", "status.nodeName"],
    columns: [
      ageColumn,
      column("Phase", (o) => text(path(o, "status", "phase"))),
      column("IP", (o) =>
        text((path(o, "status", "interfaces") as { ipAddress?: string }[] | undefined)?.[0]?.ipAddress),
      ),
      column("NodeName", (o) => text(path(o, "status", "nodeName"))),
      column("Ready", (o) => conditionStatus(o, "Ready") || "False"),
      column("Live-Migratable", (o) => conditionStatus(o, "LiveMigratable") || "Unknown", 1),
    ],
  }),
  define({
    group: "kubevirt.io",
    version: "v1",
    kind: "VirtualMachineInstanceMigration",
    plural: "virtualmachineinstancemigrations",
    namespaced: true,
    shortNames: ["vmim", "vmims"],
    categories: ["all"],
    subresources: ["status"],
    fields: ["status.phase"],
    columns: [
      column("Phase", (o) => text(path(o, "status", "phase"))),
      column("VMI", (o) => text(path(o, "spec", "vmiName"))),
      ageColumn,
    ],
  }),
  define({
    group: "kubevirt.io",
    version: "v1",
    kind: "KubeVirt",
    plural: "kubevirts",
    namespaced: true,
    shortNames: ["kv", "kvs"],
    subresources: ["status"],
    columns: [ageColumn, column("Phase", (o) => text(path(o, "status", "phase")))],
  }),
  define({
    group: "migrations.kubevirt.io",
    version: "v1alpha1",
    kind: "MigrationPolicy",
    plural: "migrationpolicies",
    namespaced: false,
    subresources: ["status"],
  }),
  define({
    group: "nodemaintenance.medik8s.io",
    version: "v1beta1",
    kind: "NodeMaintenance",
    plural: "nodemaintenances",
    namespaced: false,
    shortNames: ["nm"],
    subresources: ["status"],
    columns: [
      column("Node", (o) => text(path(o, "spec", "nodeName"))),
      column("Phase", (o) => text(path(o, "status", "phase"))),
      ageColumn,
    ],
  }),
  define({
    group: "fence-agents-remediation.medik8s.io",
    version: "v1alpha1",
    kind: "FenceAgentsRemediation",
    plural: "fenceagentsremediations",
    namespaced: true,
    shortNames: ["far"],
    subresources: ["status"],
  }),
  define({
    group: "fence-agents-remediation.medik8s.io",
    version: "v1alpha1",
    kind: "FenceAgentsRemediationTemplate",
    plural: "fenceagentsremediationtemplates",
    namespaced: true,
    shortNames: ["fartemplate"],
  }),
  define({
    group: "self-node-remediation.medik8s.io",
    version: "v1alpha1",
    kind: "SelfNodeRemediation",
    plural: "selfnoderemediations",
    namespaced: true,
    shortNames: ["snr"],
    subresources: ["status"],
  }),
  define({
    group: "self-node-remediation.medik8s.io",
    version: "v1alpha1",
    kind: "SelfNodeRemediationTemplate",
    plural: "selfnoderemediationtemplates",
    namespaced: true,
    shortNames: ["snrt"],
  }),
  define({
    group: "metrics.k8s.io",
    version: "v1beta1",
    kind: "NodeMetrics",
    plural: "nodes",
    namespaced: false,
    verbs: ["get", "list"],
    virtual: true,
  }),
  define({
    group: "metrics.k8s.io",
    version: "v1beta1",
    kind: "PodMetrics",
    plural: "pods",
    namespaced: true,
    verbs: ["get", "list"],
    virtual: true,
  }),
  // kubedrs's own policy kinds as custom resources: cluster-scoped and stored as given, like CRDs whose
  // schema keeps unknown fields; the controller validates them and reports a bad one.
  ...POLICY_RESOURCES.map((resource) =>
    define({
      group: POLICY_GROUP,
      version: POLICY_VERSION,
      kind: resource.kind,
      plural: resource.plural,
      namespaced: false,
      shortNames: resource.shortNames,
      categories: ["kubedrs"],
    }),
  ),
  // What kubedrs's own deployment (deploy/) is made of, stored as given so that
  // `kubectl apply --dry-run=server -k deploy/` and a real apply work against the twin. Nothing
  // acts on them: no pods come from a Deployment, no routes from a Service, no API from a CRD.
  define({
    version: "v1",
    kind: "ServiceAccount",
    plural: "serviceaccounts",
    namespaced: true,
    shortNames: ["sa"],
  }),
  define({
    version: "v1",
    kind: "ConfigMap",
    plural: "configmaps",
    namespaced: true,
    shortNames: ["cm"],
    columns: [column("Data", (o) => String(Object.keys(isRecord(o.data) ? o.data : {}).length)), ageColumn],
  }),
  define({
    version: "v1",
    kind: "Service",
    plural: "services",
    namespaced: true,
    shortNames: ["svc"],
    categories: ["all"],
    subresources: ["status"],
    columns: [
      column("Type", (o) => text(path(o, "spec", "type") ?? "ClusterIP")),
      column("Cluster-IP", (o) => text(path(o, "spec", "clusterIP"))),
      column("Port(s)", servicePorts),
      ageColumn,
    ],
  }),
  define({
    group: "apps",
    version: "v1",
    kind: "Deployment",
    plural: "deployments",
    namespaced: true,
    shortNames: ["deploy"],
    categories: ["all"],
    subresources: ["status"],
    columns: [
      column("Ready", (o) => `${count(path(o, "status", "readyReplicas"))}/${count(path(o, "spec", "replicas") ?? 1)}`),
      column("Up-to-date", (o) => String(count(path(o, "status", "updatedReplicas")))),
      column("Available", (o) => String(count(path(o, "status", "availableReplicas")))),
      ageColumn,
    ],
  }),
  define({
    group: "rbac.authorization.k8s.io",
    version: "v1",
    kind: "ClusterRole",
    plural: "clusterroles",
    namespaced: false,
  }),
  define({
    group: "rbac.authorization.k8s.io",
    version: "v1",
    kind: "ClusterRoleBinding",
    plural: "clusterrolebindings",
    namespaced: false,
    columns: [column("Role", roleRef), ageColumn],
  }),
  define({
    group: "rbac.authorization.k8s.io",
    version: "v1",
    kind: "Role",
    plural: "roles",
    namespaced: true,
  }),
  define({
    group: "rbac.authorization.k8s.io",
    version: "v1",
    kind: "RoleBinding",
    plural: "rolebindings",
    namespaced: true,
    columns: [column("Role", roleRef), ageColumn],
  }),
  define({
    group: "apiextensions.k8s.io",
    version: "v1",
    kind: "CustomResourceDefinition",
    plural: "customresourcedefinitions",
    namespaced: false,
    shortNames: ["crd", "crds"],
    categories: ["api-extensions"],
    subresources: ["status"],
  }),
  define({
    group: "monitoring.coreos.com",
    version: "v1",
    kind: "ServiceMonitor",
    plural: "servicemonitors",
    namespaced: true,
    shortNames: ["smon"],
    categories: ["prometheus-operator"],
  }),
  define({
    group: "monitoring.coreos.com",
    version: "v1",
    kind: "PrometheusRule",
    plural: "prometheusrules",
    namespaced: true,
    shortNames: ["promrule"],
    categories: ["prometheus-operator"],
  }),
];

export class ResourceRegistry {
  readonly all: readonly ResourceType[];
  private readonly byKey = new Map<string, ResourceType>();

  constructor(resources: readonly ResourceType[] = RESOURCES) {
    this.all = resources;
    for (const resource of resources) {
      const key = `${resource.group}/${resource.version}/${resource.plural}`;
      if (this.byKey.has(key)) throw new Error(`resource ${key} defined twice`);
      this.byKey.set(key, resource);
    }
  }

  find(group: string, version: string, plural: string): ResourceType | undefined {
    return this.byKey.get(`${group}/${version}/${plural}`);
  }

  /** The stored resource of a kind (for controllers that write objects by kind). */
  forKind(apiVersion: string, kind: string): ResourceType | undefined {
    return this.all.find(
      (resource) => apiVersionOf(resource) === apiVersion && resource.kind === kind && !resource.virtual,
    );
  }

  groups(): { group: string; versions: string[] }[] {
    const groups = new Map<string, Set<string>>();
    for (const resource of this.all) {
      if (!resource.group) continue;
      const versions = groups.get(resource.group) ?? new Set<string>();
      versions.add(resource.version);
      groups.set(resource.group, versions);
    }
    return [...groups].map(([group, versions]) => ({ group, versions: [...versions] }));
  }
}
