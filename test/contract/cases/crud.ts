/** Create, read, list, update and delete, the same way for every kind kubedrs reads or writes. */
import { ApiException, type KubernetesObject } from "@kubernetes/client-node";
import { describe, expect } from "vitest";
import { eventually } from "../client.ts";
import { event, lease, migrationPolicy, namespace, node, pod, virtualMachine } from "../fixtures.ts";
import { type Harness, resourcePath } from "../harness.ts";
import type { Suite } from "../specs.ts";

interface Kind {
  readonly kind: string;
  readonly apiVersion: string;
  readonly plural: string;
  readonly build: (harness: Harness) => KubernetesObject;
}

const KINDS: readonly Kind[] = [
  { kind: "Namespace", apiVersion: "v1", plural: "namespaces", build: (x) => namespace(x.name("crud", true)) },
  { kind: "Node", apiVersion: "v1", plural: "nodes", build: (x) => node(x.name("crud", true)) },
  { kind: "Pod", apiVersion: "v1", plural: "pods", build: (x) => pod(x.name("crud"), x.ns) },
  { kind: "Event", apiVersion: "v1", plural: "events", build: (x) => event(x.name("crud"), x.ns) },
  {
    kind: "Lease",
    apiVersion: "coordination.k8s.io/v1",
    plural: "leases",
    build: (x) => lease(x.name("crud"), x.ns),
  },
  {
    kind: "VirtualMachine",
    apiVersion: "kubevirt.io/v1",
    plural: "virtualmachines",
    build: (x) => virtualMachine(x.name("crud"), x.ns),
  },
  {
    kind: "MigrationPolicy",
    apiVersion: "migrations.kubevirt.io/v1alpha1",
    plural: "migrationpolicies",
    build: (x) => migrationPolicy(x.name("crud", true)),
  },
];

type Header = Parameters<Harness["objects"]["read"]>[0];

/**
 * Read, change, replace; again on 409 Conflict, as every client must: the cluster's controllers
 * (virt-controller for a VM, the kubelet for a pod) may write the object between the read and the write.
 */
async function replaceWithRetry(
  x: Harness,
  header: Header,
  change: (object: KubernetesObject) => void,
): Promise<KubernetesObject> {
  for (let attempt = 1; ; attempt += 1) {
    const latest = await x.objects.read(header);
    change(latest);
    try {
      return await x.objects.replace(latest);
    } catch (error) {
      if (!(error instanceof ApiException) || error.code !== 409 || attempt === 5) throw error;
    }
  }
}

export function describeCrud({ h, specs }: Suite): void {
  describe("create, read, update and delete", () => {
    const rows = KINDS.map((row) => ({ ...row, title: `creates, reads, lists, updates and deletes a ${row.kind}` }));
    specs.each(rows, async ({ apiVersion, kind, plural, build }) => {
      const x = h();
      const object = build(x);
      const ns = object.metadata?.namespace;
      const metadata = { name: object.metadata?.name ?? "", ...(ns && { namespace: ns }) };
      const path = x.track(resourcePath(apiVersion, plural, metadata));

      const created = await x.objects.create(object);
      expect(created.metadata?.uid).toBeTruthy();
      expect(created.metadata?.resourceVersion).toBeTruthy();

      const read = await x.objects.read({ apiVersion, kind, metadata });
      expect(read.metadata?.uid).toBe(created.metadata?.uid);

      const listed = await x.objects.list(apiVersion, kind, metadata.namespace);
      expect(listed.items.map((item) => item.metadata?.name)).toContain(metadata.name);

      const updated = await replaceWithRetry(x, { apiVersion, kind, metadata }, (latest) => {
        latest.metadata = { ...latest.metadata, labels: { ...latest.metadata?.labels, "kubedrs.io/updated": "yes" } };
      });
      expect(updated.metadata?.labels?.["kubedrs.io/updated"]).toBe("yes");
      expect(updated.metadata?.resourceVersion).not.toBe(created.metadata?.resourceVersion);

      await x.objects.delete({ apiVersion, kind, metadata });
      // A namespace (and a VM, under KubeVirt) goes through finalizers first: gone soon, not at once.
      await eventually(
        async () => ((await x.raw("GET", path)).status === 404 ? true : undefined),
        `${kind} ${metadata.name} to be gone`,
      );
    });
  });
}
