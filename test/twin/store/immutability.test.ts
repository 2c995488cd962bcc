import { describe, expect, it } from "vitest";
import { twinWithNamespace } from "../support/namespaced-twin.ts";

describe("stored objects", () => {
  it("are frozen in the test suite, so an in-place change fails loudly", () => {
    const twin = twinWithNamespace(5);
    const namespace = twin.runtime.store.get(twin.runtime.resources.namespaces, undefined, "vms");
    expect(() => {
      if (namespace) namespace.metadata.labels = { changed: "in place" };
    }).toThrow(TypeError);
  });

  it("a status write makes a new version and keeps the old version whole", () => {
    const twin = twinWithNamespace(5);
    const { store, resources } = twin.runtime;
    const created = store.create(resources.virtualMachines, {
      metadata: { name: "web", namespace: "vms" },
      spec: { runStrategy: "Halted", template: { spec: { domain: { memory: { guest: "1Gi" } } } } },
    });
    const written = store.mutate(
      resources.virtualMachines,
      { namespace: "vms", name: "web" },
      (draft) => {
        draft.status = { printableStatus: "Stopped" };
      },
      { subresource: "status" },
    );
    expect(written?.status).toEqual({ printableStatus: "Stopped" });
    expect(written?.spec).toEqual(created.spec);
    expect(created.status).toBeUndefined();
    expect(Number(written?.metadata.resourceVersion)).toBeGreaterThan(Number(created.metadata.resourceVersion));
  });
});
