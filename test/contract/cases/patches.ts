/** The three patch types: JSON patch, merge patch, and strategic merge patch with its merge keys. */
import { describe, expect } from "vitest";
import type { CustomObject } from "../fixtures.ts";
import { JSON_PATCH, MERGE_PATCH, STRATEGIC_MERGE_PATCH } from "../harness.ts";
import type { Suite } from "../specs.ts";

export function describePatches({ h, specs }: Suite): void {
  describe("patches", () => {
    specs.it("applies a JSON patch", async () => {
      const x = h();
      const { metadata } = await x.createLease();
      const patched = await x.coordination.patchNamespacedLease(
        {
          name: metadata.name,
          namespace: x.ns,
          body: [
            { op: "add", path: "/metadata/labels", value: { tier: "web" } },
            { op: "replace", path: "/spec/holderIdentity", value: "patched" },
          ],
        },
        JSON_PATCH,
      );
      expect(patched.metadata?.labels).toEqual({ tier: "web" });
      expect(patched.spec?.holderIdentity).toBe("patched");
    });

    specs.it("applies a merge patch, removing the keys set to null", async () => {
      const x = h();
      const { metadata } = await x.createLease((l) => (l.metadata!.labels = { keep: "yes", drop: "yes" }));
      const patched = await x.patchLease(metadata.name, { metadata: { labels: { drop: null, added: "yes" } } });
      expect(patched.metadata?.labels).toEqual({ keep: "yes", added: "yes" });
    });

    specs.it("applies a merge patch to a custom resource", async () => {
      const x = h();
      const vm = await x.createVm();
      const patched: unknown = await x.custom.patchNamespacedCustomObject(
        {
          group: "kubevirt.io",
          version: "v1",
          namespace: x.ns,
          plural: "virtualmachines",
          name: vm.metadata.name,
          body: { metadata: { labels: { "kubedrs.io/patched": "yes" } } },
        },
        MERGE_PATCH,
      );
      expect((patched as CustomObject).metadata.labels).toMatchObject({ "kubedrs.io/patched": "yes" });
      expect((patched as CustomObject).spec).toMatchObject({ runStrategy: "Halted" });
    });

    specs.it("merges pod containers by name in a strategic merge patch", async () => {
      const x = h();
      const name = await x.createPod((p) => {
        p.spec!.containers = [
          { name: "main", image: "registry.k8s.io/pause:3.10" },
          { name: "sidecar", image: "registry.k8s.io/pause:3.9" },
        ];
      });
      const patched = await x.core.patchNamespacedPod(
        {
          name,
          namespace: x.ns,
          body: { spec: { containers: [{ name: "sidecar", image: "registry.k8s.io/pause:3.10" }] } },
        },
        STRATEGIC_MERGE_PATCH,
      );
      expect(patched.spec?.containers.map((container) => [container.name, container.image])).toEqual([
        ["main", "registry.k8s.io/pause:3.10"],
        ["sidecar", "registry.k8s.io/pause:3.10"],
      ]);
    });

    specs.it("merges node conditions by type in a strategic merge patch of the status", async () => {
      const x = h();
      const name = await x.createNode();
      const condition = { type: "MemoryPressure", status: "True", reason: "Contract", message: "patched" };
      const patched = await x.core.patchNodeStatus(
        { name, body: { status: { conditions: [condition] } } },
        STRATEGIC_MERGE_PATCH,
      );
      const conditions = Object.fromEntries((patched.status?.conditions ?? []).map((c) => [c.type, c.status]));
      expect(conditions).toMatchObject({ MemoryPressure: "True", Ready: expect.any(String) as unknown });
    });
  });
}
