import { describe, expect, it } from "vitest";
import type { TruthEvent } from "../../../src/twin/runtime/truth.ts";
import { peerBatches } from "../../../src/twin/kube/medik8s/snr-safe-time.ts";
import { cluster, condition, restartNever, taintKeys } from "../support/kube-fixture.ts";

function snr(fixture: ReturnType<typeof cluster>, node: string, strategy?: string) {
  return fixture.create(fixture.resources.selfNodeRemediations, {
    metadata: { name: node, namespace: "default" },
    spec: strategy ? { remediationStrategy: strategy } : {},
  });
}

function snrObject(fixture: ReturnType<typeof cluster>, node: string) {
  return fixture.runtime.store.get(fixture.resources.selfNodeRemediations, "default", node);
}

/** node-1 lost its network at `isolatedAt`, 70 s before the remediation starts. */
function isolated() {
  const fixture = cluster(["node-1", "node-2", "node-3"]);
  fixture.pod("vm-launcher", { node: "node-1" }, restartNever);
  fixture.advance(5);
  const isolatedAt = fixture.now();
  fixture.runtime.truth.setHost("node-1", { networked: false });
  fixture.advance(70);
  const power: { at: number; powered: boolean }[] = [];
  fixture.runtime.truth.subscribe((event: TruthEvent) => {
    if (event.type === "host" && event.node === "node-1")
      power.push({ at: fixture.now() - isolatedAt, powered: event.state.powered });
  });
  return { fixture, power };
}

describe("SelfNodeRemediation (self-node-remediation)", () => {
  it("reboots the isolated node by its watchdog and removes its pods only after the safe time", () => {
    const { fixture, power } = isolated();
    const started = fixture.now();
    snr(fixture, "node-1");
    fixture.settle();
    const object = snrObject(fixture, "node-1");
    expect(object?.status).toMatchObject({
      phase: "Pre-Reboot-Completed",
      timeAssumedRebooted: new Date(started + 180_000).toISOString().replace(".000Z", "Z"),
    });
    expect(condition(object, "Processing")?.status).toBe("True");
    expect(taintKeys(fixture.getNode("node-1"))).toContain("remediation.medik8s.io/self-node-remediation:NoSchedule");

    fixture.advance(150);
    expect(power).toEqual([
      { at: 150_000, powered: false },
      { at: 155_000, powered: true },
    ]);

    fixture.twin.advance(started + 179_000 - fixture.now());
    expect(fixture.mustPod("vm-launcher").metadata.deletionTimestamp).toBeUndefined();
    expect(taintKeys(fixture.getNode("node-1"))).not.toContain("node.kubernetes.io/out-of-service:NoExecute");

    fixture.advance(3);
    expect(taintKeys(fixture.getNode("node-1"))).toContain("node.kubernetes.io/out-of-service:NoExecute");
    expect(fixture.mustPod("vm-launcher").metadata.deletionTimestamp).toBeDefined();

    fixture.advance(30);
    expect(fixture.getPod("vm-launcher")).toBeUndefined();
    const done = snrObject(fixture, "node-1");
    expect(done?.status?.phase).toBe("Fencing-Completed");
    expect(condition(done, "Succeeded")).toMatchObject({ status: "True", reason: "RemediationFinishedSuccessfully" });
    expect(taintKeys(fixture.getNode("node-1"))).not.toContain("node.kubernetes.io/out-of-service:NoExecute");
  });

  it("force-deletes the pods at the safe time with ResourceDeletion, and cleans up when the CR goes", () => {
    const { fixture } = isolated();
    const started = fixture.now();
    snr(fixture, "node-1", "ResourceDeletion");
    fixture.twin.advance(started + 182_000 - fixture.now());
    expect(fixture.getPod("vm-launcher")).toBeUndefined();
    expect(snrObject(fixture, "node-1")?.status?.phase).toBe("Fencing-Completed");
    expect(taintKeys(fixture.getNode("node-1"))).toContain("remediation.medik8s.io/self-node-remediation:NoSchedule");

    fixture.runtime.store.delete(fixture.resources.selfNodeRemediations, "default", "node-1");
    fixture.settle();
    expect(snrObject(fixture, "node-1")).toBeUndefined();
    expect(taintKeys(fixture.getNode("node-1"))).not.toContain(
      "remediation.medik8s.io/self-node-remediation:NoSchedule",
    );
  });

  it.each([
    [3, 1],
    [10, 4],
    [20, 7],
  ])("asks %i workers in %i batches", (workers, batches) => {
    expect(peerBatches(workers)).toBe(batches);
  });
});
