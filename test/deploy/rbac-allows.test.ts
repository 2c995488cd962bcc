/**
 * test/support/rbac.ts matches requests against RBAC rules the way kube-apiserver does; these
 * cases follow the Kubernetes RBAC documentation and evaluation_helpers.go.
 */
import { describe, expect, it } from "vitest";
import { type AccessRequest, type PolicyRule, grantsAllow, grantsFor, rbacAllows } from "../support/rbac.ts";
import { NAMESPACE, deployFile } from "./manifests.ts";

const podsReader: PolicyRule = { apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch"] };
const leaseRenewer: PolicyRule = {
  apiGroups: ["coordination.k8s.io"],
  resources: ["leases"],
  resourceNames: ["kubedrs-leader"],
  verbs: ["get", "update"],
};

function request(overrides: Partial<AccessRequest>): AccessRequest {
  return { verb: "get", apiGroup: "", resource: "pods", ...overrides };
}

describe("rbacAllows", () => {
  it.each<[string, PolicyRule[], AccessRequest, boolean]>([
    ["a listed verb on a listed resource", [podsReader], request({ verb: "list" }), true],
    ["a verb the rule lacks", [podsReader], request({ verb: "delete" }), false],
    ["the same resource in another group", [podsReader], request({ apiGroup: "metrics.k8s.io" }), false],
    ["a resource the rule lacks", [podsReader], request({ resource: "nodes" }), false],
    ["a subresource of a listed resource", [podsReader], request({ subresource: "status" }), false],
    [
      "a listed resource/subresource",
      [{ apiGroups: [""], resources: ["pods/eviction"], verbs: ["create"] }],
      request({ verb: "create", subresource: "eviction" }),
      true,
    ],
    [
      "*/subresource",
      [{ apiGroups: [""], resources: ["*/status"], verbs: ["patch"] }],
      request({ verb: "patch", resource: "nodes", subresource: "status" }),
      true,
    ],
    [
      "*/subresource without a subresource",
      [{ apiGroups: [""], resources: ["*/status"], verbs: ["get"] }],
      request({}),
      false,
    ],
    [
      "* resources, subresources included",
      [{ apiGroups: [""], resources: ["*"], verbs: ["get"] }],
      request({ subresource: "log" }),
      true,
    ],
    ["* verbs", [{ apiGroups: [""], resources: ["pods"], verbs: ["*"] }], request({ verb: "deletecollection" }), true],
    [
      "* groups",
      [{ apiGroups: ["*"], resources: ["pods"], verbs: ["get"] }],
      request({ apiGroup: "metrics.k8s.io" }),
      true,
    ],
    ["no apiGroups at all", [{ resources: ["pods"], verbs: ["get"] }], request({}), false],
    [
      "a named object the rule names",
      [leaseRenewer],
      request({ apiGroup: "coordination.k8s.io", resource: "leases", name: "kubedrs-leader" }),
      true,
    ],
    [
      "another name",
      [leaseRenewer],
      request({ apiGroup: "coordination.k8s.io", resource: "leases", name: "other" }),
      false,
    ],
    [
      "a create, which has no name yet",
      [{ ...leaseRenewer, verbs: ["create"] }],
      request({ verb: "create", apiGroup: "coordination.k8s.io", resource: "leases" }),
      false,
    ],
    [
      "a list narrowed to the named object",
      [{ ...leaseRenewer, verbs: ["list"] }],
      request({ verb: "list", apiGroup: "coordination.k8s.io", resource: "leases", name: "kubedrs-leader" }),
      true,
    ],
    [
      "the second of two rules",
      [podsReader, leaseRenewer],
      request({ apiGroup: "coordination.k8s.io", resource: "leases", name: "kubedrs-leader" }),
      true,
    ],
    ["no rules", [], request({}), false],
  ])("%s → %s", (_case, rules, asked, allowed) => {
    expect(rbacAllows(rules, asked)).toBe(allowed);
  });
});

describe("grantsFor the kubedrs service account in deploy/rbac.yaml", () => {
  const grants = grantsFor(deployFile("rbac.yaml"), { namespace: NAMESPACE, name: "kubedrs" });

  it.each<[string, AccessRequest & { namespace?: string }, boolean]>([
    [
      "patch a VMI anywhere",
      { verb: "patch", apiGroup: "kubevirt.io", resource: "virtualmachineinstances", namespace: "shop", name: "web-1" },
      true,
    ],
    [
      "create a migration",
      { verb: "create", apiGroup: "kubevirt.io", resource: "virtualmachineinstancemigrations", namespace: "shop" },
      true,
    ],
    [
      "delete a VMI (to restart elsewhere a VM that cannot leave a node in maintenance)",
      {
        verb: "delete",
        apiGroup: "kubevirt.io",
        resource: "virtualmachineinstances",
        namespace: "shop",
        name: "web-1",
      },
      true,
    ],
    ["cordon a node", { verb: "patch", apiGroup: "", resource: "nodes", name: "node-1" }, true],
    [
      "write a node's status",
      { verb: "patch", apiGroup: "", resource: "nodes", subresource: "status", name: "node-1" },
      false,
    ],
    ["delete a node", { verb: "delete", apiGroup: "", resource: "nodes", name: "node-1" }, false],
    [
      "delete a VirtualMachine",
      { verb: "delete", apiGroup: "kubevirt.io", resource: "virtualmachines", namespace: "shop", name: "web-1" },
      false,
    ],
    [
      "evict a pod",
      { verb: "create", apiGroup: "", resource: "pods", subresource: "eviction", namespace: "shop", name: "p" },
      false,
    ],
    [
      "renew its Lease",
      {
        verb: "update",
        apiGroup: "coordination.k8s.io",
        resource: "leases",
        namespace: NAMESPACE,
        name: "kubedrs-leader",
      },
      true,
    ],
    [
      "renew its Lease from another namespace",
      {
        verb: "update",
        apiGroup: "coordination.k8s.io",
        resource: "leases",
        namespace: "default",
        name: "kubedrs-leader",
      },
      false,
    ],
    [
      "update a node's Lease",
      {
        verb: "update",
        apiGroup: "coordination.k8s.io",
        resource: "leases",
        namespace: "kube-node-lease",
        name: "node-1",
      },
      false,
    ],
    [
      "watch node Leases",
      { verb: "watch", apiGroup: "coordination.k8s.io", resource: "leases", namespace: "kube-node-lease" },
      true,
    ],
    ["read secrets", { verb: "get", apiGroup: "", resource: "secrets", namespace: NAMESPACE, name: "x" }, false],
  ])("%s → %s", (_case, asked, allowed) => {
    expect(grantsAllow(grants, asked)).toBe(allowed);
  });

  it("finds the ClusterRole's and the Role's rules", () => {
    expect(grants.cluster.length).toBeGreaterThan(5);
    expect(grants.namespaced.get(NAMESPACE)?.length).toBe(3);
  });

  it("grants nothing to another account", () => {
    const other = grantsFor(deployFile("rbac.yaml"), { namespace: NAMESPACE, name: "default" });
    expect({ cluster: other.cluster, namespaced: [...other.namespaced] }).toEqual({ cluster: [], namespaced: [] });
  });
});
