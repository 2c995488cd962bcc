import { describe, expect, it } from "vitest";
import type { Twin } from "../../../src/twin/twin.ts";
import {
  NAMESPACE,
  advance,
  createMigration,
  createVm,
  kubevirtTwin,
  launcherPods,
  vmiOf,
} from "../support/kubevirt-fixture.ts";
import { refusal } from "../support/api-refusal.ts";

function runningTwin(options: { masquerade?: boolean } = {}): Twin {
  const twin = kubevirtTwin();
  createVm(twin, "web", options);
  advance(twin, 30);
  return twin;
}

const CREATE_WEBHOOK = 'admission webhook "migration-create-validator.kubevirt.io" denied the request: ';

describe("creating a VirtualMachineInstanceMigration", () => {
  it("labels it with its VMI and adds the migration finalizer", () => {
    const twin = runningTwin();
    const migration = createMigration(twin, "web");
    expect(migration.metadata.labels).toEqual({ "kubevirt.io/vmi-name": "web" });
    expect(migration.metadata.finalizers).toEqual(["kubevirt.io/migrationJobFinalize"]);
  });

  it.each([
    {
      name: "without vmiName",
      create: (twin: Twin) => createMigration(twin, "", { name: "no-vmi" }),
      code: 422,
      message: `${CREATE_WEBHOOK}vmiName is missing`,
    },
    {
      name: "of a VMI that does not exist",
      create: (twin: Twin) => createMigration(twin, "nope"),
      code: 400,
      message: `${CREATE_WEBHOOK}the VMI "vms/nope" does not exist`,
    },
    {
      name: "with a priority, from a user",
      create: (twin: Twin) =>
        twin.runtime.store.create(
          twin.runtime.resources.migrations,
          {
            metadata: { generateName: "m-", namespace: NAMESPACE },
            spec: { vmiName: "web", priority: "system-critical" },
          },
          { actor: "api" },
        ),
      code: 422,
      message: `${CREATE_WEBHOOK}Migration priority queue, only virt-controller is allowed to set priority field`,
    },
  ])("is refused $name", ({ create, code, message }) => {
    const twin = runningTwin();
    expect(refusal(() => create(twin))).toMatchObject({ code, message });
  });

  it("lets virt-controller set a priority", () => {
    const twin = runningTwin();
    const migration = twin.runtime.store.create(
      twin.runtime.resources.migrations,
      { metadata: { generateName: "m-", namespace: NAMESPACE }, spec: { vmiName: "web", priority: "system-critical" } },
      { actor: "virt-controller" },
    );
    expect(migration.spec).toMatchObject({ priority: "system-critical" });
  });

  it("is refused for a VMI that is not live-migratable, with KubeVirt's reason and message", () => {
    const twin = runningTwin({ masquerade: false });
    expect(refusal(() => createMigration(twin, "web"))).toMatchObject({
      code: 400,
      message:
        `${CREATE_WEBHOOK}Cannot migrate VMI, Reason: InterfaceNotLiveMigratable, Message: ` +
        "cannot migrate VMI which does not use masquerade or a migratable plugin to connect to the pod network",
    });
  });

  it("is refused for a VMI in a final phase", () => {
    const twin = kubevirtTwin();
    createVm(twin, "web", { runStrategy: "Once" });
    advance(twin, 30);
    const pod = launcherPods(twin, "web")[0]!;
    twin.runtime.store.delete(twin.runtime.resources.pods, NAMESPACE, pod.metadata.name ?? "", {
      gracePeriodSeconds: 0,
    });
    advance(twin, 5);
    expect(refusal(() => createMigration(twin, "web"))).toMatchObject({
      code: 400,
      message: `${CREATE_WEBHOOK}Cannot migrate VMI in finalized state.`,
    });
  });

  it("is refused while another migration of the VMI is in flight", () => {
    const twin = runningTwin();
    const first = createMigration(twin, "web");
    expect(refusal(() => createMigration(twin, "web"))).toMatchObject({
      code: 400,
      message: `${CREATE_WEBHOOK}in-flight migration detected. Active migration job (${first.metadata.uid}) is currently already in progress for VMI web.`,
    });
    advance(twin, 60);
    expect(() => createMigration(twin, "web")).not.toThrow();
  });

  it("keeps the spec immutable", () => {
    const twin = runningTwin();
    const migration = createMigration(twin, "web");
    const status = refusal(() =>
      twin.runtime.store.mutate(
        twin.runtime.resources.migrations,
        { namespace: NAMESPACE, name: migration.metadata.name ?? "" },
        (draft) => {
          (draft.spec as Record<string, unknown>).addedNodeSelector = { zone: "b" };
        },
        { actor: "api" },
      ),
    );
    expect(status).toMatchObject({ code: 422, reason: "Invalid" });
    expect(status.message).toContain("update of Migration object's spec is restricted");
  });
});

describe("updating a VMI", () => {
  function relabel(twin: Twin, labels: Record<string, string>, actor = "api"): void {
    twin.runtime.store.mutate(
      twin.runtime.resources.virtualMachineInstances,
      { namespace: NAMESPACE, name: "web" },
      (draft) => {
        draft.metadata.labels = { ...draft.metadata.labels, ...labels };
      },
      { actor },
    );
  }

  it.each(["kubevirt.io/nodeName", "kubevirt.io/migrationTargetNodeName", "kubevirt.io/created-by"])(
    "refuses a user's change of %s",
    (label) => {
      const twin = runningTwin();
      expect(refusal(() => relabel(twin, { [label]: "node-z" }))).toMatchObject({
        code: 422,
        message:
          'admission webhook "virtualmachineinstances-update-validator.kubevirt.io" denied the request: ' +
          "modification of the following reserved kubevirt.io/ labels on a VMI object is prohibited",
      });
    },
  );

  it("accepts other labels from users and reserved ones from KubeVirt", () => {
    const twin = runningTwin();
    relabel(twin, { "policy.example.com/migration": "fast" });
    relabel(twin, { "kubevirt.io/nodeName": "node-z" }, "virt-handler");
    expect(vmiOf(twin, "web")?.metadata.labels).toMatchObject({
      "policy.example.com/migration": "fast",
      "kubevirt.io/nodeName": "node-z",
    });
  });

  it("refuses a user's change of the spec", () => {
    const twin = runningTwin();
    const status = refusal(() =>
      twin.runtime.store.mutate(
        twin.runtime.resources.virtualMachineInstances,
        { namespace: NAMESPACE, name: "web" },
        (draft) => {
          (draft.spec as Record<string, unknown>).nodeSelector = { zone: "b" };
        },
        { actor: "api" },
      ),
    );
    expect(status.message).toContain("update of VMI object is restricted");
  });
});
