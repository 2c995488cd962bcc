/**
 * The twin's audit trail: each resource request in RBAC's terms, so a test can hold what a
 * client did against the Roles it is deployed with. Off unless asked for, and bounded.
 */
import { afterEach, describe, expect, it } from "vitest";
import { Twin } from "../../src/twin/twin.ts";
import type { AuditRecord } from "../../src/twin/server/audit.ts";
import { grantsAllow, grantsFor } from "../support/rbac.ts";
import { NAMESPACE, deployFile } from "./manifests.ts";

const START = Date.UTC(2026, 0, 1);

let twin: Twin | undefined;

afterEach(async () => {
  await twin?.stop();
  twin = undefined;
});

async function listening(options: { audit?: { limit?: number } } = {}): Promise<{ twin: Twin; url: string }> {
  twin = Twin.create({ seed: 3, start: START, ...options });
  const url = await twin.listen();
  for (const name of ["default", NAMESPACE]) {
    twin.runtime.store.create(twin.runtime.resources.namespaces, { metadata: { name } });
  }
  twin.runtime.store.create(twin.runtime.resources.leases, {
    metadata: { name: "kubedrs-leader", namespace: NAMESPACE },
    spec: {},
  });
  return { twin, url };
}

interface Call {
  readonly method: string;
  readonly path: string;
  readonly body?: unknown;
  readonly contentType?: string;
}

async function send(url: string, call: Call): Promise<void> {
  const response = await fetch(`${url}${call.path}`, {
    method: call.method,
    headers: { "user-agent": "kubedrs/test", "content-type": call.contentType ?? "application/json" },
    ...(call.body !== undefined && { body: JSON.stringify(call.body) }),
  });
  await response.body?.cancel();
}

const LEASES = `/apis/coordination.k8s.io/v1/namespaces/${NAMESPACE}/leases`;
const lease = (name: string): unknown => ({ metadata: { name, namespace: NAMESPACE }, spec: {} });

describe("the API server's audit trail", () => {
  it.each<[string, Call, Omit<AuditRecord, "userAgent">]>([
    [
      "a get",
      { method: "GET", path: `${LEASES}/kubedrs-leader` },
      {
        verb: "get",
        apiGroup: "coordination.k8s.io",
        resource: "leases",
        namespace: NAMESPACE,
        name: "kubedrs-leader",
      },
    ],
    [
      "a list",
      { method: "GET", path: `${LEASES}?limit=5` },
      { verb: "list", apiGroup: "coordination.k8s.io", resource: "leases", namespace: NAMESPACE },
    ],
    [
      "a list across namespaces",
      { method: "GET", path: "/api/v1/pods" },
      { verb: "list", apiGroup: "", resource: "pods" },
    ],
    [
      "a list narrowed to one name",
      { method: "GET", path: `${LEASES}?fieldSelector=metadata.name%3Dkubedrs-leader` },
      {
        verb: "list",
        apiGroup: "coordination.k8s.io",
        resource: "leases",
        namespace: NAMESPACE,
        name: "kubedrs-leader",
      },
    ],
    [
      "a watch",
      { method: "GET", path: "/api/v1/nodes?watch=true&timeoutSeconds=1" },
      { verb: "watch", apiGroup: "", resource: "nodes" },
    ],
    [
      "a create",
      { method: "POST", path: LEASES, body: lease("new") },
      { verb: "create", apiGroup: "coordination.k8s.io", resource: "leases", namespace: NAMESPACE },
    ],
    [
      "an update",
      { method: "PUT", path: `${LEASES}/kubedrs-leader`, body: lease("kubedrs-leader") },
      {
        verb: "update",
        apiGroup: "coordination.k8s.io",
        resource: "leases",
        namespace: NAMESPACE,
        name: "kubedrs-leader",
      },
    ],
    [
      "a patch",
      {
        method: "PATCH",
        path: `${LEASES}/kubedrs-leader`,
        body: { spec: { holderIdentity: "a" } },
        contentType: "application/merge-patch+json",
      },
      {
        verb: "patch",
        apiGroup: "coordination.k8s.io",
        resource: "leases",
        namespace: NAMESPACE,
        name: "kubedrs-leader",
      },
    ],
    [
      "a status patch",
      {
        method: "PATCH",
        path: "/api/v1/namespaces/default/status",
        body: {},
        contentType: "application/merge-patch+json",
      },
      {
        verb: "patch",
        apiGroup: "",
        resource: "namespaces",
        subresource: "status",
        namespace: "default",
        name: "default",
      },
    ],
    [
      "a delete",
      { method: "DELETE", path: `${LEASES}/kubedrs-leader` },
      {
        verb: "delete",
        apiGroup: "coordination.k8s.io",
        resource: "leases",
        namespace: NAMESPACE,
        name: "kubedrs-leader",
      },
    ],
    [
      "a collection delete",
      { method: "DELETE", path: LEASES },
      { verb: "deletecollection", apiGroup: "coordination.k8s.io", resource: "leases", namespace: NAMESPACE },
    ],
    [
      "an eviction",
      { method: "POST", path: "/api/v1/namespaces/default/pods/missing/eviction", body: {} },
      {
        verb: "create",
        apiGroup: "",
        resource: "pods",
        subresource: "eviction",
        namespace: "default",
        name: "missing",
      },
    ],
    [
      "a refused request (recorded: authorization comes first)",
      { method: "GET", path: `${LEASES}/missing` },
      { verb: "get", apiGroup: "coordination.k8s.io", resource: "leases", namespace: NAMESPACE, name: "missing" },
    ],
    [
      "a computed resource",
      { method: "GET", path: "/apis/metrics.k8s.io/v1beta1/nodes" },
      { verb: "list", apiGroup: "metrics.k8s.io", resource: "nodes" },
    ],
  ])("records %s", async (_what, call, expected) => {
    const { twin: target, url } = await listening({ audit: {} });
    await send(url, call);
    expect(target.server.audit()).toEqual([{ ...expected, userAgent: "kubedrs/test" }]);
  });

  it("records nothing for discovery, OpenAPI and health", async () => {
    const { twin: target, url } = await listening({ audit: {} });
    for (const path of ["/api", "/apis", "/api/v1", "/apis/kubevirt.io/v1", "/openapi/v3", "/version", "/healthz"]) {
      await send(url, { method: "GET", path });
    }
    expect(target.server.audit()).toEqual([]);
  });

  it("is off unless the twin asks for it", async () => {
    const { twin: target, url } = await listening();
    await send(url, { method: "GET", path: `${LEASES}/kubedrs-leader` });
    expect(target.server.audit()).toEqual([]);
  });

  it("keeps the most recent requests up to its limit, oldest first, and forgets them on clear", async () => {
    const { twin: target, url } = await listening({ audit: { limit: 3 } });
    for (const name of ["a", "b", "c", "d", "e"]) await send(url, { method: "GET", path: `${LEASES}/${name}` });
    expect(target.server.audit().map((record) => record.name)).toEqual(["c", "d", "e"]);
    target.server.clearAudit();
    expect(target.server.audit()).toEqual([]);
  });

  it.each([0, -1, 2.5])("refuses a limit of %s", (limit) => {
    expect(() => Twin.create({ seed: 3, start: START, audit: { limit } })).toThrow(
      /audit limit must be a positive integer/,
    );
  });

  it("tells the requests deploy/rbac.yaml allows the controller from those it does not", async () => {
    const { twin: target, url } = await listening({ audit: {} });
    const grants = grantsFor(deployFile("rbac.yaml"), { namespace: NAMESPACE, name: "kubedrs" });
    await send(url, {
      method: "GET",
      path: "/apis/kubevirt.io/v1/virtualmachineinstances?watch=true&timeoutSeconds=1",
    });
    await send(url, { method: "PUT", path: `${LEASES}/kubedrs-leader`, body: lease("kubedrs-leader") });
    await send(url, { method: "DELETE", path: "/api/v1/nodes/n" });
    // The twin serves no Secrets: a request for them is a 404 it cannot attribute, so it is not recorded.
    await send(url, { method: "GET", path: "/api/v1/namespaces/default/secrets" });
    const verdicts = target.server
      .audit()
      .map((record) => [`${record.verb} ${record.resource}`, grantsAllow(grants, record)]);
    expect(verdicts).toEqual([
      ["watch virtualmachineinstances", true],
      ["update leases", true],
      ["delete nodes", false],
    ]);
  });
});
