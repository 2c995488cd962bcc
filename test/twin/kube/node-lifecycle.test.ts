import { describe, expect, it } from "vitest";
import { cluster, condition, taintKeys } from "../support/kube-fixture.ts";

function lastRenewal(fixture: ReturnType<typeof cluster>, node: string): number {
  const lease = fixture.runtime.store.get(fixture.resources.leases, "kube-node-lease", node);
  return Date.parse(String(lease?.spec?.renewTime));
}

describe("node lifecycle controller", () => {
  it("marks a silent node Unknown once 50 s have passed since it last saw the lease renewed", () => {
    const fixture = cluster(["node-1", "node-2", "node-3"]);
    fixture.advance(23);
    fixture.runtime.truth.setHost("node-1", { powered: false });
    const renewed = lastRenewal(fixture, "node-1");

    fixture.twin.advance(renewed + 50_000 - fixture.now());
    expect(condition(fixture.getNode("node-1"), "Ready")?.status).toBe("True");

    fixture.advance(10);
    const ready = condition(fixture.getNode("node-1"), "Ready");
    expect(ready).toMatchObject({
      status: "Unknown",
      reason: "NodeStatusUnknown",
      message: "Kubelet stopped posting node status.",
    });
    const markedAfter = Date.parse(String(ready?.lastTransitionTime)) - renewed;
    expect(markedAfter).toBeGreaterThan(50_000);
    expect(markedAfter).toBeLessThanOrEqual(60_000);
    for (const type of ["MemoryPressure", "DiskPressure", "PIDPressure"])
      expect(condition(fixture.getNode("node-1"), type)?.status).toBe("Unknown");
    expect(condition(fixture.getNode("node-2"), "Ready")?.status).toBe("True");
  });

  it("taints an unreachable node NoSchedule and NoExecute, marks its pods not Ready, and clears the taints when it is back", () => {
    const fixture = cluster(["node-1", "node-2", "node-3"]);
    fixture.pod("web", { node: "node-1" });
    fixture.advance(5);
    fixture.runtime.truth.setHost("node-1", { networked: false });
    fixture.advance(65);

    const node = fixture.getNode("node-1");
    expect(taintKeys(node)).toEqual([
      "node.kubernetes.io/unreachable:NoSchedule",
      "node.kubernetes.io/unreachable:NoExecute",
    ]);
    expect((node.spec?.taints as { timeAdded?: string }[])[1]?.timeAdded).toBeDefined();
    expect(condition(fixture.mustPod("web"), "Ready")?.status).toBe("False");
    expect(fixture.events("web", "NodeNotReady")).toEqual([
      expect.objectContaining({ type: "Warning", message: "Node is not ready" }),
    ]);

    fixture.runtime.truth.setHost("node-1", { networked: true });
    fixture.advance(20);
    expect(condition(fixture.getNode("node-1"), "Ready")?.status).toBe("True");
    expect(taintKeys(fixture.getNode("node-1"))).toEqual([]);
  });

  it("evicts the pods of an unreachable node after the default 300 s toleration; they stay Terminating on the dead node", () => {
    const fixture = cluster(["node-1", "node-2", "node-3"]);
    fixture.pod("web", { node: "node-1" });
    fixture.pod("patient", { node: "node-1" }, (pod) => {
      pod.spec = {
        ...pod.spec,
        tolerations: [{ key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute" }],
      };
    });
    fixture.advance(5);
    expect(fixture.mustPod("web").spec?.tolerations).toEqual([
      { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
      { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
    ]);

    fixture.runtime.truth.setHost("node-1", { powered: false });
    fixture.advance(70);
    const taint = (fixture.getNode("node-1").spec?.taints as { key: string; effect: string; timeAdded: string }[]).find(
      (entry) => entry.effect === "NoExecute",
    );
    const taintedAt = Date.parse(String(taint?.timeAdded));

    fixture.twin.advance(taintedAt + 299_000 - fixture.now());
    expect(fixture.mustPod("web").metadata.deletionTimestamp).toBeUndefined();
    fixture.advance(2);
    const web = fixture.mustPod("web");
    expect(web.metadata.deletionTimestamp).toBeDefined();
    expect(condition(web, "DisruptionTarget")).toMatchObject({ status: "True", reason: "DeletionByTaintManager" });

    fixture.advance(3600);
    expect(fixture.mustPod("web").metadata.deletionTimestamp).toBeDefined();
    expect(fixture.mustPod("patient").metadata.deletionTimestamp).toBeUndefined();
  });

  it("force-deletes the pods of a NotReady node tainted out-of-service (non-graceful node shutdown)", () => {
    const fixture = cluster(["node-1", "node-2", "node-3"]);
    fixture.pod("web", { node: "node-1" });
    fixture.pod("db", { node: "node-1" });
    fixture.advance(5);
    fixture.runtime.truth.setHost("node-1", { powered: false });
    fixture.advance(70);
    expect(fixture.getPod("web")).toBeDefined();

    fixture.runtime.store.mutate(fixture.resources.nodes, { name: "node-1" }, (node) => {
      node.spec = {
        ...node.spec,
        taints: [
          ...((node.spec?.taints as object[]) ?? []),
          { key: "node.kubernetes.io/out-of-service", value: "nodeshutdown", effect: "NoExecute" },
        ],
      };
    });
    fixture.advance(21);
    expect(fixture.getPod("web")).toBeUndefined();
    expect(fixture.getPod("db")).toBeUndefined();
  });

  it("stops tainting when every node of the only zone is down: the control plane is the likelier culprit", () => {
    const fixture = cluster(["node-1", "node-2"]);
    fixture.advance(5);
    fixture.runtime.truth.setHost("node-1", { networked: false });
    fixture.runtime.truth.setHost("node-2", { networked: false });
    fixture.advance(120);
    for (const name of ["node-1", "node-2"]) {
      expect(condition(fixture.getNode(name), "Ready")?.status).toBe("Unknown");
      expect(taintKeys(fixture.getNode(name))).toEqual(["node.kubernetes.io/unreachable:NoSchedule"]);
    }
  });

  it("taints NotReady nodes one by one, at the eviction rate of 0.1 node per second", () => {
    const fixture = cluster(["node-1", "node-2", "node-3", "node-4", "node-5", "node-6"]);
    fixture.advance(5);
    fixture.runtime.truth.setHost("node-1", { powered: false });
    fixture.runtime.truth.setHost("node-2", { powered: false });
    fixture.advance(60);
    const tainted = () =>
      ["node-1", "node-2"].filter((name) =>
        taintKeys(fixture.getNode(name)).includes("node.kubernetes.io/unreachable:NoExecute"),
      ).length;
    expect(tainted()).toBe(1);
    fixture.advance(10);
    expect(tainted()).toBe(2);
  });

  it("garbage-collects the pods of a node that was deleted, after a 40 s quarantine", () => {
    const fixture = cluster(["node-1", "node-2"]);
    fixture.pod("web", { node: "node-1" });
    fixture.advance(5);
    fixture.runtime.store.delete(fixture.resources.nodes, undefined, "node-1");
    fixture.advance(30);
    expect(fixture.getPod("web")).toBeDefined();
    fixture.advance(40);
    expect(fixture.getPod("web")).toBeUndefined();
  });
});
