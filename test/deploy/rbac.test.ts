/**
 * deploy/rbac.yaml grants exactly what src/controller/kube-access.ts says the code uses: every
 * access the code lists is granted, and nothing else is. Compared one (group, resource, verb,
 * names) grant at a time, so how rules are grouped in the YAML does not matter.
 */
import { BMC_CREDENTIALS_SECRET } from "../../src/controller/failover/power-status.ts";
import { describe, expect, it } from "vitest";
import { KUBE_ACCESS, type KubeAccess, POLICY_PLURALS } from "../../src/controller/kube-access.ts";
import { POLICY_GROUP, POLICY_RESOURCES } from "../../scripts/policy-crds.ts";
import { type Manifest, NAMESPACE, deployFile } from "./manifests.ts";
import type { PolicyRule } from "../support/rbac.ts";

/** One verb on one resource: "cluster  kubevirt.io  virtualmachineinstances  patch  [*]". */
function grant(scope: string, group: string, resource: string, verb: string, names: readonly string[]): string {
  return [scope, group || "core", resource, verb, names.length ? [...names].sort().join(",") : "*"].join("  ");
}

function grantsOfCode(access: readonly KubeAccess[]): string[] {
  return access.flatMap((entry) =>
    entry.verbs.map((verb) => grant(entry.scope, entry.apiGroup, entry.resource, verb, entry.resourceNames ?? [])),
  );
}

function grantsOfRules(scope: string, rules: readonly PolicyRule[]): string[] {
  return rules.flatMap((rule) =>
    (rule.apiGroups ?? []).flatMap((group) =>
      (rule.resources ?? []).flatMap((resource) =>
        rule.verbs.map((verb) => grant(scope, group, resource, verb, rule.resourceNames ?? [])),
      ),
    ),
  );
}

function rbac(): Manifest[] {
  return deployFile("rbac.yaml");
}

function rulesOf(kind: string): PolicyRule[] {
  return rbac()
    .filter((object) => object.kind === kind)
    .flatMap((object) => object.rules as PolicyRule[]);
}

function grantsOfYaml(): string[] {
  return [...grantsOfRules("cluster", rulesOf("ClusterRole")), ...grantsOfRules("namespace", rulesOf("Role"))];
}

describe("RBAC and the code's Kubernetes access", () => {
  it("grants everything kube-access.ts lists", () => {
    const granted = new Set(grantsOfYaml());
    expect(grantsOfCode(KUBE_ACCESS).filter((entry) => !granted.has(entry))).toEqual([]);
  });

  it("grants nothing kube-access.ts does not list", () => {
    const used = new Set(grantsOfCode(KUBE_ACCESS));
    expect(grantsOfYaml().filter((entry) => !used.has(entry))).toEqual([]);
  });

  it("grants each access once", () => {
    const all = grantsOfYaml();
    expect(all.filter((entry, index) => all.indexOf(entry) !== index)).toEqual([]);
  });

  it.each([
    [
      "no wildcard",
      (rule: PolicyRule) => [...(rule.apiGroups ?? []), ...(rule.resources ?? []), ...rule.verbs].includes("*"),
    ],
    [
      "no secrets but a get of the BMC credentials",
      (rule: PolicyRule) =>
        (rule.resources ?? []).includes("secrets") &&
        (rule.verbs.join() !== "get" || (rule.resourceNames ?? []).join() !== BMC_CREDENTIALS_SECRET),
    ],
    [
      "no escalation verbs",
      (rule: PolicyRule) => rule.verbs.some((verb) => ["escalate", "bind", "impersonate"].includes(verb)),
    ],
  ])("has %s", (_what, bad) => {
    expect([...rulesOf("ClusterRole"), ...rulesOf("Role")].filter(bad)).toEqual([]);
  });

  it("keeps the Role in the controller's namespace", () => {
    const namespaced = rbac().filter((object) => object.kind === "Role" || object.kind === "RoleBinding");
    expect(namespaced.map((object) => object.metadata.namespace)).toEqual([NAMESPACE, NAMESPACE]);
  });

  it.each([
    ["ClusterRoleBinding", "ClusterRole"],
    ["RoleBinding", "Role"],
  ])("%s refers to the %s in the file", (bindingKind, roleKind) => {
    const binding = rbac().find((object) => object.kind === bindingKind);
    const role = rbac().find((object) => object.kind === roleKind);
    expect(binding?.roleRef).toEqual({
      apiGroup: "rbac.authorization.k8s.io",
      kind: roleKind,
      name: role?.metadata.name,
    });
  });

  it("reads the plurals the policy CRDs serve", () => {
    expect([...POLICY_PLURALS].sort()).toEqual(POLICY_RESOURCES.map((resource) => resource.plural).sort());
    const policyAccess = KUBE_ACCESS.filter((entry) => entry.apiGroup === POLICY_GROUP).map((entry) => entry.resource);
    expect(policyAccess.sort()).toEqual([...POLICY_PLURALS].sort());
  });
});
