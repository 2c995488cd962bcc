/**
 * How objects go: graceful deletion of bound pods (what the API server guarantees, not what a
 * kubelet does), finalizers, dry runs that change nothing, and the eviction endpoint.
 */
import type { V1Lease, V1Pod } from "@kubernetes/client-node";
import { describe, expect } from "vitest";
import { apiFailure, eventually } from "../client.ts";
import { lease } from "../fixtures.ts";
import { type Harness, JSON_PATCH } from "../harness.ts";
import type { Suite } from "../specs.ts";

function describeDeletion({ h, specs }: Suite): void {
  describe("graceful deletion and finalizers", () => {
    specs.it("marks a bound pod for deletion, with its grace period, and keeps it", async () => {
      const x = h();
      const name = await x.createBoundPod();
      const deleted = await x.core.deleteNamespacedPod({ name, namespace: x.ns });
      expect(deleted.metadata?.deletionTimestamp).toBeTruthy();
      const terminating = await x.core.readNamespacedPod({ name, namespace: x.ns });
      expect(terminating.metadata?.deletionTimestamp).toBeTruthy();
      expect(terminating.metadata?.deletionGracePeriodSeconds).toBe(30);
    });

    specs.it("removes a terminating pod at once when deleted again with gracePeriodSeconds=0", async () => {
      const x = h();
      const name = await x.createBoundPod();
      await x.core.deleteNamespacedPod({ name, namespace: x.ns });
      await x.core.deleteNamespacedPod({ name, namespace: x.ns, gracePeriodSeconds: 0 });
      expect((await x.raw("GET", x.podPath(name))).status).toBe(404);
    });

    specs.it("keeps an object with a finalizer, marked for deletion, until the finalizer is removed", async () => {
      const x = h();
      const { name } = (await x.createLease((l) => (l.metadata!.finalizers = ["kubedrs.io/contract"]))).metadata;
      await x.coordination.deleteNamespacedLease({ name, namespace: x.ns });
      const terminating = await x.coordination.readNamespacedLease({ name, namespace: x.ns });
      expect(terminating.metadata?.deletionTimestamp).toBeTruthy();
      expect(terminating.metadata?.finalizers).toEqual(["kubedrs.io/contract"]);
      await x.coordination.patchNamespacedLease(
        { name, namespace: x.ns, body: [{ op: "remove", path: "/metadata/finalizers" }] },
        JSON_PATCH,
      );
      await eventually(
        async () => ((await x.raw("GET", x.leasePath(name))).status === 404 ? true : undefined),
        "the lease to go with its finalizer",
      );
    });
  });
}

const DRY_RUNS = [
  {
    title: "creates nothing on a dryRun=All create",
    run: async (x: Harness) => {
      const body = lease(x.name("dry"), x.ns);
      expect((await x.raw("POST", `${x.leasePath()}?dryRun=All`, { body })).status).toBe(201);
      expect((await x.raw("GET", x.leasePath(body.metadata?.name))).status).toBe(404);
    },
  },
  {
    title: "changes nothing on a dryRun=All update",
    run: async (x: Harness) => {
      const existing = await x.createLease();
      const path = x.leasePath(existing.metadata.name);
      const changed = { ...existing, spec: { ...existing.spec, holderIdentity: "dry" } };
      expect((await x.raw("PUT", `${path}?dryRun=All`, { body: changed })).status).toBe(200);
      expect(((await x.raw("GET", path)).json as V1Lease).spec?.holderIdentity).toBe("contract");
    },
  },
  {
    title: "deletes nothing on a dryRun=All delete",
    run: async (x: Harness) => {
      const path = x.leasePath((await x.createLease()).metadata.name);
      expect((await x.raw("DELETE", `${path}?dryRun=All`)).status).toBe(200);
      expect((await x.raw("GET", path)).status).toBe(200);
    },
  },
];

function describeDryRuns({ h, specs }: Suite): void {
  describe("dry runs", () => {
    specs.each(DRY_RUNS, ({ run }) => run(h()));
  });
}

function describeEviction({ h, specs }: Suite): void {
  describe("eviction", () => {
    specs.it("accepts the eviction of a bound pod and starts its graceful deletion", async () => {
      const x = h();
      const name = await x.createBoundPod();
      const eviction = { apiVersion: "policy/v1", kind: "Eviction", metadata: { name, namespace: x.ns } };
      const response = await x.raw("POST", x.podPath(name, "eviction"), { body: eviction });
      expect([200, 201]).toContain(response.status);
      const after = await x.raw("GET", x.podPath(name));
      expect(after.status === 404 || Boolean((after.json as V1Pod).metadata?.deletionTimestamp)).toBe(true);
    });

    specs.it("answers the eviction of a missing pod with 404", async () => {
      const x = h();
      const metadata = { name: "no-such-pod", namespace: x.ns };
      const failure = await apiFailure(
        x.core.createNamespacedPodEviction({
          ...metadata,
          body: { apiVersion: "policy/v1", kind: "Eviction", metadata },
        }),
      );
      expect(failure.code).toBe(404);
      expect(failure.status).toMatchObject({ kind: "Status", reason: "NotFound", code: 404 });
    });
  });
}

export function describeLifecycle(suite: Suite): void {
  describeDeletion(suite);
  describeDryRuns(suite);
  describeEviction(suite);
}
