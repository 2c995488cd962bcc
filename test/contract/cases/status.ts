/**
 * Status subresources: /status writes only the status, a plain write keeps it, and a create takes
 * the status the API server defaults rather than the one it was sent.
 */
import { describe, expect } from "vitest";
import { namespace, pod, virtualMachine } from "../fixtures.ts";
import { type Harness, MERGE_PATCH, resourcePath } from "../harness.ts";
import type { Suite } from "../specs.ts";

type Doc = Record<string, unknown> & { metadata: Record<string, unknown>; spec?: unknown; status?: unknown };

/** GET, change, PUT; again on 409, as a real cluster's controllers may write the object meanwhile. */
async function updateWithRetry(x: Harness, path: string, change: (object: Doc) => void): Promise<Doc> {
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const current = (await x.raw("GET", path)).json as Doc;
    change(current);
    const response = await x.raw("PUT", path, { body: current });
    if (response.status === 200) return response.json as Doc;
    if (response.status !== 409) throw new Error(`PUT ${path}: ${response.status} ${response.text}`);
  }
  throw new Error(`PUT ${path}: still conflicting after 5 attempts`);
}

interface StatusCase {
  readonly kind: string;
  /** Creates the object; returns its path. */
  readonly create: (harness: Harness) => Promise<string>;
  /** Changes what a /status write must not touch. */
  readonly changeOthers: (object: Doc) => void;
  readonly statusA: Record<string, unknown>;
  readonly statusB: Record<string, unknown>;
}

const STATUS_CASES: readonly StatusCase[] = [
  {
    kind: "Node",
    create: async (x) => resourcePath("v1", "nodes", { name: await x.createNode() }),
    changeOthers: (object) => (object.spec = { unschedulable: true }),
    statusA: { conditions: [{ type: "Ready", status: "False", reason: "ContractA", message: "a" }] },
    statusB: { conditions: [{ type: "Ready", status: "Unknown", reason: "ContractB", message: "b" }] },
  },
  {
    kind: "VirtualMachine",
    create: async (x) => x.vmPath((await x.createVm()).metadata.name),
    changeOthers: (object) => {
      object.spec = { ...(object.spec as object), runStrategy: "Always" };
      object.metadata.labels = { "kubedrs.io/changed": "yes" };
    },
    statusA: { printableStatus: "ContractA" },
    statusB: { printableStatus: "ContractB" },
  },
];

const CREATE_DEFAULTS = [
  {
    title: "starts a new namespace Active",
    check: async (x: Harness) => {
      const name = x.name("defaults", true);
      x.track(resourcePath("v1", "namespaces", { name }));
      const created = await x.core.createNamespace({ body: namespace(name) });
      expect(created.status?.phase).toBe("Active");
    },
  },
  {
    title: "starts a new pod Pending, whatever status it was sent",
    check: async (x: Harness) => {
      const body = pod(x.name("defaults"), x.ns, (p) => (p.status = { phase: "Running" }));
      x.track(x.podPath(body.metadata?.name));
      const created = await x.core.createNamespacedPod({ namespace: x.ns, body });
      expect(created.status?.phase).toBe("Pending");
    },
  },
  {
    title: "ignores the status sent with a new custom resource",
    check: async (x: Harness) => {
      const body = virtualMachine(x.name("defaults"), x.ns, (vm) => (vm.status = { printableStatus: "Invented" }));
      x.track(x.vmPath(body.metadata.name));
      const created = (await x.custom.createNamespacedCustomObject({
        group: "kubevirt.io",
        version: "v1",
        namespace: x.ns,
        plural: "virtualmachines",
        body,
      })) as { status?: { printableStatus?: string } };
      expect(created.status?.printableStatus).not.toBe("Invented");
    },
  },
];

export function describeStatusSubresource({ h, specs }: Suite): void {
  describe("status subresource", () => {
    const rows = STATUS_CASES.map((row) => ({
      ...row,
      title: `changes only the status of a ${row.kind} through /status, and keeps it on a plain update`,
    }));
    specs.each(rows, async ({ create, changeOthers, statusA, statusB }) => {
      const x = h();
      const path = await create(x);
      const before = (await x.raw("GET", path)).json as Doc;

      const afterStatus = await updateWithRetry(x, `${path}/status`, (object) => {
        changeOthers(object);
        object.status = { ...(object.status as object), ...statusA };
      });
      expect(afterStatus.status).toMatchObject(statusA);
      expect(afterStatus.spec).toEqual(before.spec);
      expect(afterStatus.metadata.labels).toEqual(before.metadata.labels);

      const afterPlain = await updateWithRetry(x, path, (object) => {
        object.status = { ...(object.status as object), ...statusB };
      });
      expect(afterPlain.status).not.toMatchObject(statusB);
    });

    specs.it("updates a pod's status through /status with a merge patch", async () => {
      const x = h();
      const name = await x.createPod();
      const patched = await x.core.patchNamespacedPodStatus(
        { name, namespace: x.ns, body: { status: { conditions: [{ type: "kubedrs.io/Contract", status: "True" }] } } },
        MERGE_PATCH,
      );
      expect(patched.status?.conditions?.map((condition) => condition.type)).toContain("kubedrs.io/Contract");
    });

    specs.each(CREATE_DEFAULTS, ({ check }) => check(h()));
  });
}
