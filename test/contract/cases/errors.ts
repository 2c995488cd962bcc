/**
 * Optimistic concurrency and the Status errors: a conflicting or malformed request gets a
 * metav1.Status with the code and reason a real API server gives, promptly, and changes nothing.
 */
import { PatchStrategy, type V1Lease } from "@kubernetes/client-node";
import { describe, expect } from "vitest";
import { type StatusBody, apiFailure } from "../client.ts";
import { lease, node } from "../fixtures.ts";
import { type Harness, resourcePath } from "../harness.ts";
import type { Suite } from "../specs.ts";

interface Request {
  readonly method: string;
  readonly path: string;
  readonly body?: unknown;
  readonly contentType?: string;
}

interface Malformed {
  /** What the server does, the start of the test's name (the code and reason complete it). */
  readonly does: string;
  readonly code: number;
  readonly reason?: string;
  readonly request: (harness: Harness) => Request | Promise<Request>;
}

const post = (path: string, body: unknown): Request => ({ method: "POST", path, body });
const get = (path: string): Request => ({ method: "GET", path });
const patch = (path: string, body: unknown, contentType: string): Request => ({
  method: "PATCH",
  path,
  body,
  contentType,
});

/** A lease body for a create that should fail; `apply` makes it malformed. */
const badLease = (x: Harness, apply?: (object: V1Lease) => void): V1Lease => lease(x.name("bad"), x.ns, apply);

/** A lease body with `metadata` replaced by something no schema allows. */
const withMetadata = (x: Harness, metadata: unknown): unknown => ({ ...badLease(x), metadata });

const MALFORMED: readonly Malformed[] = [
  {
    does: "rejects an object without a name",
    code: 422,
    reason: "Invalid",
    request: (x) => post(x.leasePath(), withMetadata(x, {})),
  },
  {
    does: "rejects a name that is not a DNS subdomain",
    code: 422,
    reason: "Invalid",
    request: (x) =>
      post(
        x.leasePath(),
        badLease(x, (l) => (l.metadata!.name = "Not_A_Name")),
      ),
  },
  {
    does: "rejects a label value with a space",
    code: 422,
    reason: "Invalid",
    request: (x) =>
      post(
        x.leasePath(),
        badLease(x, (l) => (l.metadata!.labels = { tier: "not valid" })),
      ),
  },
  {
    does: "rejects a body that is not JSON",
    code: 400,
    reason: "BadRequest",
    request: (x) => post(x.leasePath(), '{"metadata": {"name": '),
  },
  {
    does: "rejects a body that is a JSON list",
    code: 400,
    reason: "BadRequest",
    request: (x) => post(x.leasePath(), "[]"),
  },
  {
    does: "rejects a metadata.name that is not a string",
    code: 400,
    reason: "BadRequest",
    request: (x) => post(x.leasePath(), withMetadata(x, { name: 42 })),
  },
  {
    does: "rejects labels that are not a map",
    code: 400,
    reason: "BadRequest",
    request: (x) => post(x.leasePath(), withMetadata(x, { name: x.name("bad"), labels: "tier=web" })),
  },
  {
    does: "rejects a body whose kind does not match the URL",
    code: 400,
    reason: "BadRequest",
    request: (x) => post(x.podPath(), node(x.name("node", true))),
  },
  {
    does: "rejects a body whose namespace does not match the URL",
    code: 400,
    reason: "BadRequest",
    request: (x) =>
      post(
        x.leasePath(),
        badLease(x, (l) => (l.metadata!.namespace = `${x.ns}-elsewhere`)),
      ),
  },
  {
    does: "rejects an update whose name does not match the URL",
    code: 400,
    reason: "BadRequest",
    request: async (x) => {
      const existing = await x.createLease();
      const renamed = { ...existing, metadata: { ...existing.metadata, name: "other" } };
      return { method: "PUT", path: x.leasePath(existing.metadata.name), body: renamed };
    },
  },
  {
    does: "rejects a create in a namespace that does not exist",
    code: 404,
    reason: "NotFound",
    request: (x) => {
      const missing = `${x.ns}-missing`;
      return post(resourcePath("coordination.k8s.io/v1", "leases", { namespace: missing }), lease("a", missing));
    },
  },
  ...["tier in (web", "=web", "tier web", "tier=web=db"].map((selector): Malformed => ({
    does: `rejects the label selector "${selector}"`,
    code: 400,
    reason: "BadRequest",
    request: (x) => get(`${x.leasePath()}?labelSelector=${encodeURIComponent(selector)}`),
  })),
  {
    does: "rejects a field selector on an unsupported field",
    code: 400,
    reason: "BadRequest",
    request: (x) => get(`${x.podPath()}?fieldSelector=${encodeURIComponent("spec.hostname=x")}`),
  },
  {
    does: "rejects a limit that is not a number",
    code: 400,
    reason: "BadRequest",
    request: (x) => get(`${x.leasePath()}?limit=many`),
  },
  {
    does: "rejects a continue token it did not issue",
    code: 400,
    reason: "BadRequest",
    request: (x) => get(`${x.leasePath()}?limit=1&continue=bm90LWEtdG9rZW4`),
  },
  {
    does: "rejects a JSON patch that is not a list of operations",
    code: 400,
    reason: "BadRequest",
    request: async (x) =>
      patch(
        x.leasePath((await x.createLease()).metadata.name),
        { op: "add", path: "/metadata/labels", value: {} },
        PatchStrategy.JsonPatch,
      ),
  },
  {
    does: "rejects a JSON patch whose test operation fails",
    code: 422,
    request: async (x) =>
      patch(
        x.leasePath((await x.createLease()).metadata.name),
        [{ op: "test", path: "/spec/holderIdentity", value: "someone else" }],
        PatchStrategy.JsonPatch,
      ),
  },
  {
    does: "rejects a strategic merge patch on a custom resource",
    code: 415,
    reason: "UnsupportedMediaType",
    request: async (x) =>
      patch(
        x.vmPath((await x.createVm()).metadata.name),
        { metadata: { labels: { patched: "yes" } } },
        PatchStrategy.StrategicMergePatch,
      ),
  },
  {
    does: "rejects a patch in an unknown format",
    code: 415,
    reason: "UnsupportedMediaType",
    request: async (x) => patch(x.leasePath((await x.createLease()).metadata.name), "metadata: {}", "text/plain"),
  },
  {
    does: "rejects a patch that renames the object",
    code: 400,
    reason: "BadRequest",
    request: async (x) =>
      patch(
        x.leasePath((await x.createLease()).metadata.name),
        { metadata: { name: "renamed" } },
        PatchStrategy.MergePatch,
      ),
  },
  {
    does: "rejects a delete with a stale resourceVersion precondition",
    code: 409,
    reason: "Conflict",
    request: async (x) => {
      const existing = await x.createLease();
      await x.patchLease(existing.metadata.name, { metadata: { labels: { touched: "yes" } } });
      const preconditions = { resourceVersion: existing.metadata.resourceVersion };
      const body = { kind: "DeleteOptions", apiVersion: "v1", preconditions };
      return { method: "DELETE", path: x.leasePath(existing.metadata.name), body };
    },
  },
  {
    does: "answers an unknown resource type",
    code: 404,
    reason: "NotFound",
    request: (x) => get(resourcePath("kubevirt.io/v1", "virtualteapots", { namespace: x.ns })),
  },
];

function expectStatus(status: StatusBody, code: number, reason?: string): void {
  expect(status).toMatchObject({ kind: "Status", status: "Failure", code, ...(reason && { reason }) });
  expect(status.message).toBeTruthy();
}

/** Tracks whatever a request that should have failed created after all, so the test still cleans up. */
function trackMistake(x: Harness, request: Request, status: number, body: unknown): void {
  const name = (body as { metadata?: { name?: string | number } } | undefined)?.metadata?.name;
  if (request.method === "POST" && status < 300 && name !== undefined) x.track(`${request.path}/${name}`);
}

export function describeErrors({ h, specs }: Suite): void {
  describe("conflicts and Status errors", () => {
    specs.it("rejects an update with a stale resourceVersion with 409 Conflict", async () => {
      const x = h();
      const stale = await x.createLease();
      const { name } = stale.metadata;
      const replace = (holderIdentity: string): Promise<V1Lease> =>
        x.coordination.replaceNamespacedLease({
          name,
          namespace: x.ns,
          body: { ...stale, spec: { ...stale.spec, holderIdentity } },
        });
      await replace("first writer");
      const failure = await apiFailure(replace("second writer"));
      expect(failure.code).toBe(409);
      expectStatus(failure.status, 409, "Conflict");
      const current = await x.coordination.readNamespacedLease({ name, namespace: x.ns });
      expect(current.spec?.holderIdentity).toBe("first writer");
    });

    specs.it("rejects creating a name that exists with 409 AlreadyExists", async () => {
      const x = h();
      const existing = await x.createLease();
      const failure = await apiFailure(
        x.coordination.createNamespacedLease({ namespace: x.ns, body: lease(existing.metadata.name, x.ns) }),
      );
      expect(failure.code).toBe(409);
      expectStatus(failure.status, 409, "AlreadyExists");
    });

    specs.it("answers a missing object with 404 and a NotFound Status naming it", async () => {
      const x = h();
      const failure = await apiFailure(x.core.readNamespacedPod({ name: "no-such-pod", namespace: x.ns }));
      expect(failure.code).toBe(404);
      expectStatus(failure.status, 404, "NotFound");
      expect(failure.status.details).toMatchObject({ name: "no-such-pod", kind: "pods" });
    });

    const rows = MALFORMED.map((row) => ({
      ...row,
      title: `${row.does} with ${row.code}${row.reason ? ` ${row.reason}` : ""}`,
    }));
    specs.each(rows, async ({ code, reason, request }) => {
      const x = h();
      const sent = await request(x);
      const response = await x.raw(sent.method, sent.path, {
        body: sent.body,
        ...(sent.contentType && { contentType: sent.contentType }),
      });
      trackMistake(x, sent, response.status, response.json);
      expect(response.status, response.text).toBe(code);
      expectStatus(response.json as StatusBody, code, reason);
    });

    specs.it("answers a watch from a malformed resourceVersion with an error Status, not a silent stream", async () => {
      const x = h();
      // timeoutSeconds bounds the stream should the server open one and stay silent.
      const response = await x.raw("GET", `${x.leasePath()}?watch=true&resourceVersion=not-a-version&timeoutSeconds=1`);
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.json).toMatchObject({ kind: "Status", status: "Failure" });
    });
  });
}
