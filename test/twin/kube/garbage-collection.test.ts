import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../../src/twin/api/types.ts";
import { cluster } from "../support/kube-fixture.ts";

function ownedBy(...owners: KubeObject[]) {
  return (object: KubeObject) => {
    object.metadata.ownerReferences = owners.map((owner) => ({
      apiVersion: owner.apiVersion ?? "v1",
      kind: owner.kind ?? "",
      name: owner.metadata.name ?? "",
      uid: owner.metadata.uid ?? "",
      controller: true,
    }));
  };
}

describe("garbage collector", () => {
  it("deletes dependents in cascade once their owner is gone", () => {
    const fixture = cluster(["node-1"]);
    const owner = fixture.pod("owner");
    const child = fixture.pod("child", {}, ownedBy(owner));
    fixture.pod("grandchild", {}, ownedBy(child));
    fixture.advance(5);

    fixture.runtime.store.delete(fixture.resources.pods, "default", "owner");
    fixture.advance(10);
    expect(fixture.getPod("owner")).toBeUndefined();
    expect(fixture.getPod("child")).toBeUndefined();
    expect(fixture.getPod("grandchild")).toBeUndefined();
  });

  it("orphans dependents when the owner is deleted with propagationPolicy Orphan", () => {
    const fixture = cluster(["node-1"]);
    const owner = fixture.pod("owner");
    fixture.pod("child", {}, ownedBy(owner));
    fixture.advance(5);

    fixture.runtime.store.delete(fixture.resources.pods, "default", "owner", { propagationPolicy: "Orphan" });
    fixture.advance(10);
    const child = fixture.mustPod("child");
    expect(child.metadata.deletionTimestamp).toBeUndefined();
    expect(child.metadata.ownerReferences).toBeUndefined();
  });

  it("keeps a dependent that still has another owner, dropping the dangling reference", () => {
    const fixture = cluster(["node-1"]);
    const first = fixture.pod("first");
    const second = fixture.pod("second");
    fixture.pod("shared", {}, ownedBy(first, second));
    fixture.advance(5);

    fixture.runtime.store.delete(fixture.resources.pods, "default", "first");
    fixture.advance(10);
    const shared = fixture.mustPod("shared");
    expect(shared.metadata.deletionTimestamp).toBeUndefined();
    expect(shared.metadata.ownerReferences?.map((owner) => owner.name)).toEqual(["second"]);
  });

  it("collects an object created with an owner that does not exist", () => {
    const fixture = cluster(["node-1"]);
    fixture.pod("stray", {}, (pod) => {
      pod.metadata.ownerReferences = [
        { apiVersion: "v1", kind: "Pod", name: "ghost", uid: "00000000-0000-4000-8000-000000000000" },
      ];
    });
    fixture.advance(5);
    expect(fixture.getPod("stray")).toBeUndefined();
  });

  it("deletes a node's Lease with the node", () => {
    const fixture = cluster(["node-1"]);
    expect(fixture.runtime.store.get(fixture.resources.leases, "kube-node-lease", "node-1")).toBeDefined();
    fixture.runtime.truth.setHost("node-1", { powered: false });
    fixture.runtime.store.delete(fixture.resources.nodes, undefined, "node-1");
    fixture.settle();
    expect(fixture.runtime.store.get(fixture.resources.leases, "kube-node-lease", "node-1")).toBeUndefined();
  });
});
