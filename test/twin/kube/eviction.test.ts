import { describe, expect, it } from "vitest";
import type { Status } from "../../../src/twin/api/status.ts";
import { refusalOf } from "../support/api-refusal.ts";
import { cluster } from "../support/kube-fixture.ts";

function budget(fixture: ReturnType<typeof cluster>, spec: Record<string, unknown>) {
  fixture.create(fixture.resources.podDisruptionBudgets, {
    metadata: { name: "web", namespace: "default" },
    spec: { selector: { matchLabels: { app: "web" } }, ...spec },
  });
}

/** The Status the eviction was refused with, or undefined when the pod was evicted. */
function evict(fixture: ReturnType<typeof cluster>, name: string): Status | undefined {
  return refusalOf(() => fixture.runtime.evictPod("default", name));
}

describe("eviction with PodDisruptionBudgets", () => {
  it("refuses an eviction that would break minAvailable with 429 and the API's message", () => {
    const fixture = cluster(["node-1", "node-2"]);
    fixture.pod("web-1", { labels: { app: "web" } });
    fixture.pod("web-2", { labels: { app: "web" } });
    fixture.advance(5);
    budget(fixture, { minAvailable: 2 });
    fixture.settle();
    expect(fixture.runtime.store.get(fixture.resources.podDisruptionBudgets, "default", "web")?.status).toMatchObject({
      currentHealthy: 2,
      desiredHealthy: 2,
      expectedPods: 2,
      disruptionsAllowed: 0,
      observedGeneration: 1,
    });

    const refused = evict(fixture, "web-1");
    expect(refused).toMatchObject({
      code: 429,
      reason: "TooManyRequests",
      message: "Cannot evict pod as it would violate the pod's disruption budget.",
    });
    expect(fixture.mustPod("web-1").metadata.deletionTimestamp).toBeUndefined();
  });

  it("lets two of four pods go under maxUnavailable 50%, then refuses a third while they terminate", () => {
    const fixture = cluster(["node-1", "node-2"]);
    for (const name of ["web-1", "web-2", "web-3", "web-4"]) fixture.pod(name, { labels: { app: "web" } });
    fixture.advance(5);
    budget(fixture, { maxUnavailable: "50%" });
    fixture.settle();

    expect(evict(fixture, "web-1")).toBeUndefined();
    expect(evict(fixture, "web-2")).toBeUndefined();
    expect(evict(fixture, "web-3")?.code).toBe(429);
    const status = fixture.runtime.store.get(fixture.resources.podDisruptionBudgets, "default", "web")?.status;
    expect(status?.disruptionsAllowed).toBe(0);
    expect(fixture.mustPod("web-1").metadata.deletionTimestamp).toBeDefined();
    expect(fixture.mustPod("web-2").metadata.deletionTimestamp).toBeDefined();
    expect(fixture.mustPod("web-3").metadata.deletionTimestamp).toBeUndefined();
  });

  it("evicts pods no budget selects, and pods that are not running yet, without asking", () => {
    const fixture = cluster(["node-1"]);
    fixture.pod("other");
    fixture.pod("pending", { labels: { app: "web" }, memory: "1Ti" });
    budget(fixture, { minAvailable: 5 });
    fixture.advance(5);
    expect(evict(fixture, "other")).toBeUndefined();
    expect(evict(fixture, "pending")).toBeUndefined();
    expect(fixture.getPod("pending")).toBeUndefined();
  });
});
