/**
 * Kubernetes RBAC rule matching, as kube-apiserver's RBAC authorizer does it
 * (pkg/apis/rbac/v1/evaluation_helpers.go), for tests that check the requests a client made
 * (the twin's audit trail) against the Roles it is deployed with: verbs, API groups, resources
 * including `resource/subresource` and `*\/subresource`, resource names, and `*`.
 */
import type { AuditRecord } from "../../src/twin/server/audit.ts";

export interface PolicyRule {
  readonly apiGroups?: readonly string[];
  readonly resources?: readonly string[];
  readonly verbs: readonly string[];
  readonly resourceNames?: readonly string[];
  readonly nonResourceURLs?: readonly string[];
}

/** What a resource request asks for, in the authorizer's terms. */
export type AccessRequest = Pick<AuditRecord, "verb" | "apiGroup" | "resource" | "subresource" | "name">;

function verbMatches(rule: PolicyRule, verb: string): boolean {
  return rule.verbs.includes("*") || rule.verbs.includes(verb);
}

function apiGroupMatches(rule: PolicyRule, group: string): boolean {
  return (rule.apiGroups ?? []).some((candidate) => candidate === "*" || candidate === group);
}

/** `pods` does not cover `pods/status`; `pods/status` or `*\/status` does, and `*` covers all. */
function resourceMatches(rule: PolicyRule, resource: string, subresource: string | undefined): boolean {
  const combined = subresource ? `${resource}/${subresource}` : resource;
  return (rule.resources ?? []).some(
    (candidate) =>
      candidate === "*" || candidate === combined || (subresource !== undefined && candidate === `*/${subresource}`),
  );
}

/** No names means any object; with names, a request without one (create, a plain list) never matches. */
function resourceNameMatches(rule: PolicyRule, name: string | undefined): boolean {
  const names = rule.resourceNames ?? [];
  return names.length === 0 || (name !== undefined && names.includes(name));
}

/** Whether one rule grants the request. */
export function ruleAllows(rule: PolicyRule, request: AccessRequest): boolean {
  return (
    verbMatches(rule, request.verb) &&
    apiGroupMatches(rule, request.apiGroup) &&
    resourceMatches(rule, request.resource, request.subresource) &&
    resourceNameMatches(rule, request.name)
  );
}

/** Whether any of the rules grants the request (RBAC only ever adds permissions). */
export function rbacAllows(rules: readonly PolicyRule[], request: AccessRequest): boolean {
  return rules.some((rule) => ruleAllows(rule, request));
}

interface Subject {
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
}

interface ManifestObject {
  readonly kind?: string;
  readonly metadata?: { readonly name?: string; readonly namespace?: string };
  readonly rules?: readonly PolicyRule[];
  readonly roleRef?: { readonly kind?: string; readonly name?: string };
  readonly subjects?: readonly Subject[];
}

/** What a ServiceAccount is granted: ClusterRole rules everywhere, Role rules in their namespace. */
export interface Grants {
  readonly cluster: readonly PolicyRule[];
  readonly namespaced: ReadonlyMap<string, readonly PolicyRule[]>;
}

function bindsAccount(binding: ManifestObject, account: { namespace: string; name: string }): boolean {
  return (binding.subjects ?? []).some(
    (subject) =>
      subject.kind === "ServiceAccount" && subject.name === account.name && subject.namespace === account.namespace,
  );
}

function rulesOf(objects: readonly ManifestObject[], kind: string, name: string, namespace?: string): PolicyRule[] {
  const role = objects.find(
    (object) =>
      object.kind === kind &&
      object.metadata?.name === name &&
      (namespace === undefined || object.metadata?.namespace === namespace),
  );
  return [...(role?.rules ?? [])];
}

/** The grants of a ServiceAccount from manifests (Roles, ClusterRoles and their bindings). */
export function grantsFor(objects: readonly ManifestObject[], account: { namespace: string; name: string }): Grants {
  const cluster: PolicyRule[] = [];
  const namespaced = new Map<string, PolicyRule[]>();
  for (const binding of objects.filter((object) => bindsAccount(object, account))) {
    const refKind = binding.roleRef?.kind ?? "";
    const refName = binding.roleRef?.name ?? "";
    if (binding.kind === "ClusterRoleBinding") cluster.push(...rulesOf(objects, "ClusterRole", refName));
    if (binding.kind !== "RoleBinding") continue;
    const namespace = binding.metadata?.namespace ?? "";
    const rules =
      refKind === "ClusterRole" ? rulesOf(objects, refKind, refName) : rulesOf(objects, refKind, refName, namespace);
    namespaced.set(namespace, [...(namespaced.get(namespace) ?? []), ...rules]);
  }
  return { cluster, namespaced };
}

/** Whether the grants allow a request, given the namespace it was made in (none for cluster-scoped). */
export function grantsAllow(grants: Grants, request: AccessRequest & { readonly namespace?: string }): boolean {
  if (rbacAllows(grants.cluster, request)) return true;
  return request.namespace !== undefined && rbacAllows(grants.namespaced.get(request.namespace) ?? [], request);
}
