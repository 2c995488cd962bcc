import { describe, expect, it } from "vitest";
import { cluster, condition, nodeOf } from "../support/kube-fixture.ts";

function lease(fixture: ReturnType<typeof cluster>, node: string) {
  return fixture.runtime.store.get(fixture.resources.leases, "kube-node-lease", node);
}

describe("kubelet", () => {
  it("renews its node's Lease every 10 seconds while the host is reachable", () => {
    const fixture = cluster(["node-1"]);
    const first = lease(fixture, "node-1");
    expect(first?.spec).toMatchObject({
      holderIdentity: "node-1",
      leaseDurationSeconds: 40,
      renewTime: "2026-01-01T00:00:00.000000Z",
    });
    expect(first?.metadata.ownerReferences?.[0]).toMatchObject({ kind: "Node", name: "node-1" });

    fixture.advance(10);
    expect(lease(fixture, "node-1")?.spec?.renewTime).toBe("2026-01-01T00:00:10.000000Z");
    fixture.advance(10);
    expect(lease(fixture, "node-1")?.spec?.renewTime).toBe("2026-01-01T00:00:20.000000Z");

    fixture.runtime.truth.setHost("node-1", { networked: false });
    fixture.advance(30);
    expect(lease(fixture, "node-1")?.spec?.renewTime).toBe("2026-01-01T00:00:20.000000Z");
  });

  it("posts Ready and the pressure conditions, with its version and a pod CIDR", () => {
    const fixture = cluster(["node-1"]);
    const node = fixture.getNode("node-1");
    expect(condition(node, "Ready")).toMatchObject({
      status: "True",
      reason: "KubeletReady",
      message: "kubelet is posting ready status",
    });
    for (const type of ["MemoryPressure", "DiskPressure", "PIDPressure"])
      expect(condition(node, type)?.status).toBe("False");
    expect(node.status?.nodeInfo).toMatchObject({ kubeletVersion: "v1.33.4" });
    expect(node.spec?.podCIDR).toBe("10.128.0.0/24");
    expect(node.spec?.taints).toBeUndefined();
  });

  it("runs a bound pod 2 to 4 seconds after binding, with its IPs and ready containers", () => {
    const fixture = cluster(["node-1"]);
    fixture.pod("web", { cpu: "1" });
    fixture.settle();
    expect(fixture.mustPod("web").status?.phase).toBe("Pending");

    fixture.advance(1.9);
    expect(fixture.mustPod("web").status?.phase).toBe("Pending");
    fixture.advance(2.2);
    const pod = fixture.mustPod("web");
    expect(pod.status).toMatchObject({ phase: "Running", hostIP: "192.168.0.2", podIP: "10.128.0.2" });
    expect(pod.status?.containerStatuses).toEqual([
      expect.objectContaining({ name: "main", ready: true, started: true, restartCount: 0 }),
    ]);
    for (const type of ["PodScheduled", "Initialized", "ContainersReady", "Ready"])
      expect(condition(pod, type)?.status).toBe("True");
  });

  it("finishes a graceful deletion on a live node within the grace period", () => {
    const fixture = cluster(["node-1"]);
    fixture.pod("web");
    fixture.advance(5);
    fixture.runtime.store.delete(fixture.resources.pods, "default", "web");
    expect(fixture.mustPod("web").metadata.deletionTimestamp).toBeDefined();

    fixture.advance(3);
    expect(fixture.getPod("web")).toBeUndefined();
  });

  it("never finishes a deletion while its host is unreachable: the pod stays Terminating", () => {
    const fixture = cluster(["node-1"]);
    fixture.pod("web");
    fixture.advance(5);
    fixture.runtime.truth.setHost("node-1", { powered: false });
    fixture.runtime.store.delete(fixture.resources.pods, "default", "web");

    fixture.advance(600);
    const pod = fixture.mustPod("web");
    expect(pod.metadata.deletionTimestamp).toBeDefined();
    expect(pod.status?.phase).toBe("Running");
  });

  it("after power returns, boots, marks the pods that died with the host Failed and finishes the terminating ones", () => {
    const fixture = cluster(["node-1"]);
    fixture.pod("vm-launcher", {}, (pod) => void (pod.spec = { ...pod.spec, restartPolicy: "Never" }));
    fixture.pod("leaving", {}, (pod) => void (pod.spec = { ...pod.spec, restartPolicy: "Never" }));
    fixture.advance(5);
    const bootBefore = (fixture.getNode("node-1").status?.nodeInfo as { bootID: string }).bootID;

    fixture.runtime.truth.setHost("node-1", { powered: false });
    fixture.advance(60);
    fixture.runtime.store.delete(fixture.resources.pods, "default", "leaving");
    fixture.runtime.truth.setHost("node-1", { powered: true });
    fixture.advance(25);
    expect(fixture.mustPod("vm-launcher").status?.phase).toBe("Running");
    expect(fixture.getPod("leaving")).toBeDefined();

    fixture.advance(45);
    const pod = fixture.mustPod("vm-launcher");
    expect(pod.status?.phase).toBe("Failed");
    expect(condition(pod, "Ready")?.status).toBe("False");
    expect(pod.status?.containerStatuses).toEqual([
      expect.objectContaining({
        state: { terminated: expect.objectContaining({ reason: "ContainerStatusUnknown", exitCode: 137 }) },
      }),
    ]);
    expect(fixture.getPod("leaving")).toBeUndefined();
    const node = fixture.getNode("node-1");
    expect(condition(node, "Ready")?.status).toBe("True");
    expect((node.status?.nodeInfo as { bootID: string }).bootID).not.toBe(bootBefore);
  });

  it("restarts restartPolicy Always pods after a reboot instead of failing them", () => {
    const fixture = cluster(["node-1"]);
    fixture.pod("web");
    fixture.advance(5);
    fixture.runtime.truth.setHost("node-1", { powered: false });
    fixture.advance(10);
    fixture.runtime.truth.setHost("node-1", { powered: true });
    fixture.advance(70);
    const pod = fixture.mustPod("web");
    expect(pod.status?.phase).toBe("Running");
    expect(nodeOf(pod)).toBe("node-1");
    expect(pod.status?.containerStatuses).toEqual([expect.objectContaining({ ready: true, restartCount: 1 })]);
  });
});
