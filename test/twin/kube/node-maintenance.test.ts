import { describe, expect, it, vi } from "vitest";
import { ApiError, errors } from "../../../src/twin/api/status.ts";
import { cluster, condition, taintKeys } from "../support/kube-fixture.ts";

function maintain(fixture: ReturnType<typeof cluster>, node: string) {
  return fixture.create(fixture.resources.nodeMaintenances, {
    metadata: { name: `maintain-${node}` },
    spec: { nodeName: node, reason: "firmware upgrade" },
  });
}

function maintenance(fixture: ReturnType<typeof cluster>, name: string) {
  return fixture.runtime.store.get(fixture.resources.nodeMaintenances, undefined, name);
}

describe("NodeMaintenance (node-maintenance-operator)", () => {
  it("cordons the node, drains it through the eviction API and succeeds when it is empty", () => {
    const fixture = cluster(["node-1", "node-2"]);
    fixture.pod("web", { node: "node-1" });
    fixture.pod("etcd", { node: "node-1" }, (pod) => {
      pod.metadata.annotations = { "kubernetes.io/config.mirror": "8f6e1c2a" };
    });
    fixture.advance(5);
    const evictions = vi.spyOn(fixture.runtime, "evictPod");

    maintain(fixture, "node-1");
    fixture.settle();
    const node = fixture.getNode("node-1");
    expect(node.spec?.unschedulable).toBe(true);
    expect(taintKeys(node)).toEqual(
      expect.arrayContaining(["medik8s.io/drain:NoSchedule", "node.kubernetes.io/unschedulable:NoSchedule"]),
    );
    expect(node.metadata.labels?.["remediation.medik8s.io/exclude-from-remediation"]).toBe("true");
    expect(maintenance(fixture, "maintain-node-1")?.status).toMatchObject({
      phase: "Running",
      totalpods: 2,
      evictionPods: 1,
      pendingPods: ["web"],
    });
    expect(evictions).toHaveBeenCalledWith("default", "web");
    expect(evictions).not.toHaveBeenCalledWith("default", "etcd");

    fixture.advance(5);
    expect(fixture.getPod("web")).toBeUndefined();
    expect(fixture.getPod("etcd")).toBeDefined();
    expect(maintenance(fixture, "maintain-node-1")?.status).toMatchObject({ phase: "Succeeded", drainProgress: 100 });
    expect(fixture.events("maintain-node-1").map((event) => event.reason)).toEqual([
      "BeginMaintenance",
      "SucceedMaintenance",
    ]);
  });

  it("retries refused evictions every 5 s and records the failed drain, as kubectl drain does", () => {
    const fixture = cluster(["node-1", "node-2"]);
    fixture.pod("vm-launcher", { node: "node-1" });
    fixture.advance(5);
    let refusals = 8;
    const realEvict = fixture.runtime.evictPod.bind(fixture.runtime);
    const evictions = vi.spyOn(fixture.runtime, "evictPod").mockImplementation((namespace, name) => {
      if (refusals-- > 0) throw errors.tooManyRequests('Eviction triggered evacuation of VMI "default/vm"');
      realEvict(namespace, name);
    });

    maintain(fixture, "node-1");
    fixture.advance(29);
    expect(evictions).toHaveBeenCalledTimes(6);
    fixture.advance(1);
    const status = maintenance(fixture, "maintain-node-1")?.status;
    expect(status).toMatchObject({ phase: "Running", pendingPods: ["vm-launcher"], drainProgress: 0 });
    expect(status?.lastError).toBe('error when evicting pods/"vm-launcher" -n "default": global timeout reached: 30s');

    fixture.advance(20);
    expect(fixture.getPod("vm-launcher")).toBeUndefined();
    expect(maintenance(fixture, "maintain-node-1")?.status?.phase).toBe("Succeeded");
  });

  it("uncordons the node when the NodeMaintenance is deleted", () => {
    const fixture = cluster(["node-1", "node-2"]);
    maintain(fixture, "node-1");
    fixture.advance(2);
    const cordoned = fixture.getNode("node-1");
    expect(cordoned.spec?.unschedulable).toBe(true);
    expect(taintKeys(cordoned)).toEqual(
      expect.arrayContaining(["medik8s.io/drain:NoSchedule", "node.kubernetes.io/unschedulable:NoSchedule"]),
    );
    expect(cordoned.metadata.labels?.["remediation.medik8s.io/exclude-from-remediation"]).toBe("true");

    fixture.runtime.store.delete(fixture.resources.nodeMaintenances, undefined, "maintain-node-1");
    fixture.advance(1);
    const node = fixture.getNode("node-1");
    expect(node.spec?.unschedulable).toBeUndefined();
    expect(taintKeys(node)).toEqual([]);
    expect(node.metadata.labels?.["remediation.medik8s.io/exclude-from-remediation"]).toBeUndefined();
    expect(maintenance(fixture, "maintain-node-1")).toBeUndefined();
    expect(condition(node, "Ready")?.status).toBe("True");
  });

  it("refuses a second NodeMaintenance for the same node, or one for a missing node", () => {
    const fixture = cluster(["node-1"]);
    maintain(fixture, "node-1");
    expect(() =>
      fixture.create(fixture.resources.nodeMaintenances, { metadata: { name: "again" }, spec: { nodeName: "node-1" } }),
    ).toThrow("invalid nodeName, a NodeMaintenance for node node-1 already exists");
    expect(() => maintain(fixture, "node-9")).toThrow(ApiError);
  });
});
