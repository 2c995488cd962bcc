import { describe, expect, it } from "vitest";
import { ApiError } from "../../../src/twin/api/status.ts";
import { cluster } from "../support/kube-fixture.ts";

describe("namespace controller", () => {
  it("makes a new namespace Active", () => {
    const fixture = cluster(["node-1"]);
    const namespace = fixture.namespace("team-a");
    expect(namespace.status?.phase).toBe("Active");
    expect(namespace.spec?.finalizers).toEqual(["kubernetes"]);
  });

  it("deletes everything in a deleted namespace, Terminating meanwhile, then the namespace", () => {
    const fixture = cluster(["node-1"]);
    fixture.namespace("team-a");
    fixture.pod("web", { namespace: "team-a" });
    fixture.pod("db", { namespace: "team-a" });
    fixture.create(fixture.resources.podDisruptionBudgets, {
      metadata: { name: "web", namespace: "team-a" },
      spec: { minAvailable: 1, selector: { matchLabels: { app: "web" } } },
    });
    fixture.advance(5);

    fixture.runtime.store.delete(fixture.resources.namespaces, undefined, "team-a");
    fixture.settle();
    expect(fixture.runtime.store.get(fixture.resources.namespaces, undefined, "team-a")?.status?.phase).toBe(
      "Terminating",
    );
    expect(fixture.mustPod("web", "team-a").metadata.deletionTimestamp).toBeDefined();
    expect(() => fixture.pod("late", { namespace: "team-a" })).toThrow(ApiError);

    fixture.advance(10);
    expect(fixture.getPod("web", "team-a")).toBeUndefined();
    expect(fixture.runtime.store.get(fixture.resources.podDisruptionBudgets, "team-a", "web")).toBeUndefined();
    expect(fixture.runtime.store.get(fixture.resources.namespaces, undefined, "team-a")).toBeUndefined();
  });

  it("stays Terminating while a pod is stuck on a dead node", () => {
    const fixture = cluster(["node-1"]);
    fixture.namespace("team-a");
    fixture.pod("web", { namespace: "team-a" });
    fixture.advance(5);
    fixture.runtime.truth.setHost("node-1", { powered: false });

    fixture.runtime.store.delete(fixture.resources.namespaces, undefined, "team-a");
    fixture.advance(120);
    expect(fixture.runtime.store.get(fixture.resources.namespaces, undefined, "team-a")?.status?.phase).toBe(
      "Terminating",
    );
    expect(fixture.getPod("web", "team-a")).toBeDefined();
  });
});
