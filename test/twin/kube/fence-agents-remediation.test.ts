import { describe, expect, it } from "vitest";
import type { TruthEvent } from "../../../src/twin/runtime/truth.ts";
import { cluster, condition, restartNever, taintKeys } from "../support/kube-fixture.ts";

function far(fixture: ReturnType<typeof cluster>, node: string, spec: Record<string, unknown> = {}) {
  return fixture.create(fixture.resources.fenceAgentsRemediations, {
    metadata: { name: node, namespace: "default" },
    spec: { agent: "fence_ipmilan", sharedparameters: { "--lanplus": "", "--username": "admin" }, ...spec },
  });
}

function farStatus(fixture: ReturnType<typeof cluster>, node: string): Record<string, string | undefined> {
  const object = fixture.runtime.store.get(fixture.resources.fenceAgentsRemediations, "default", node);
  return Object.fromEntries(
    ["Processing", "FenceAgentActionSucceeded", "Succeeded"].map((type) => [
      type,
      condition(object, type)?.status as string | undefined,
    ]),
  );
}

/** A cluster whose node-1 lost its network 70 s ago: NotReady, its pod still running on the host. */
function partitioned() {
  const fixture = cluster(["node-1", "node-2", "node-3"]);
  fixture.pod("vm-launcher", { node: "node-1" }, restartNever);
  fixture.advance(5);
  fixture.runtime.truth.setHost("node-1", { networked: false });
  fixture.advance(70);
  const power: boolean[] = [];
  let powered = true;
  fixture.runtime.truth.subscribe((event: TruthEvent) => {
    if (event.type !== "host" || event.node !== "node-1" || event.state.powered === powered) return;
    powered = event.state.powered;
    power.push(powered);
  });
  return { fixture, power };
}

describe("FenceAgentsRemediation (fence-agents-remediation)", () => {
  it("power-fences the host through a reachable BMC, then taints the node out-of-service so its pods go", () => {
    const { fixture, power } = partitioned();
    far(fixture, "node-1", { remediationStrategy: "OutOfServiceTaint" });
    fixture.settle();
    expect(farStatus(fixture, "node-1")).toEqual({
      Processing: "True",
      FenceAgentActionSucceeded: "Unknown",
      Succeeded: "Unknown",
    });
    expect(taintKeys(fixture.getNode("node-1"))).toContain(
      "remediation.medik8s.io/fence-agents-remediation:NoSchedule",
    );
    expect(power).toEqual([]);

    fixture.advance(11);
    expect(power).toEqual([false, true]);
    expect(farStatus(fixture, "node-1")).toEqual({
      Processing: "False",
      FenceAgentActionSucceeded: "True",
      Succeeded: "True",
    });
    expect(taintKeys(fixture.getNode("node-1"))).toContain("node.kubernetes.io/out-of-service:NoExecute");
    expect(fixture.mustPod("vm-launcher").metadata.deletionTimestamp).toBeDefined();

    fixture.advance(21);
    expect(fixture.getPod("vm-launcher")).toBeUndefined();
  });

  it("never fences a host whose BMC does not answer, and reports the failure after its retries", () => {
    const { fixture, power } = partitioned();
    fixture.runtime.truth.setHost("node-1", { bmcReachable: false });
    far(fixture, "node-1", { retrycount: 3, retryinterval: "5s", remediationStrategy: "OutOfServiceTaint" });
    fixture.advance(69);
    expect(farStatus(fixture, "node-1").Processing).toBe("True");

    fixture.advance(2);
    const object = fixture.runtime.store.get(fixture.resources.fenceAgentsRemediations, "default", "node-1");
    expect(farStatus(fixture, "node-1")).toEqual({
      Processing: "False",
      FenceAgentActionSucceeded: "False",
      Succeeded: "False",
    });
    expect(condition(object, "Succeeded")).toMatchObject({
      reason: "FenceAgentFailed",
      message: "Fence agent command has failed",
    });

    fixture.advance(600);
    expect(power).toEqual([]);
    expect(fixture.runtime.truth.host("node-1")?.powered).toBe(true);
    expect(taintKeys(fixture.getNode("node-1"))).not.toContain("node.kubernetes.io/out-of-service:NoExecute");
    expect(fixture.getPod("vm-launcher")).toBeDefined();
  });

  it("with --action off and ResourceDeletion, deletes the pods once the host is off; ending the remediation powers it on", () => {
    const { fixture, power } = partitioned();
    far(fixture, "node-1", { sharedparameters: { "--action": "off" } });
    fixture.advance(6);
    expect(power).toEqual([false]);
    expect(fixture.getPod("vm-launcher")).toBeUndefined();
    expect(farStatus(fixture, "node-1").Succeeded).toBe("True");
    expect(taintKeys(fixture.getNode("node-1"))).toContain(
      "remediation.medik8s.io/fence-agents-remediation:NoSchedule",
    );

    fixture.runtime.store.delete(fixture.resources.fenceAgentsRemediations, "default", "node-1");
    fixture.settle();
    expect(taintKeys(fixture.getNode("node-1"))).not.toContain(
      "remediation.medik8s.io/fence-agents-remediation:NoSchedule",
    );
    expect(fixture.runtime.store.get(fixture.resources.fenceAgentsRemediations, "default", "node-1")).toBeUndefined();
    fixture.advance(6);
    expect(power).toEqual([false, true]);
  });

  it("validates a template's BMC parameters on a sample of nodes with --action status", () => {
    const fixture = cluster(["node-1", "node-2", "node-3"]);
    fixture.runtime.truth.setHost("node-2", { bmcReachable: false });
    fixture.create(fixture.resources.fenceAgentsRemediationTemplates, {
      metadata: { name: "ipmi", namespace: "default" },
      spec: {
        statusValidationSample: "100%",
        template: {
          spec: {
            agent: "fence_ipmilan",
            nodeparameters: { "--ip": { "node-1": "10.0.0.1", "node-2": "10.0.0.2", "node-3": "10.0.0.3" } },
          },
        },
      },
    });
    fixture.settle();
    const template = () =>
      fixture.runtime.store.get(fixture.resources.fenceAgentsRemediationTemplates, "default", "ipmi");
    expect(condition(template(), "FenceAgentStatusValidationSucceeded")).toMatchObject({
      status: "Unknown",
      reason: "ValidationInProgress",
    });

    fixture.advance(20);
    expect(condition(template(), "FenceAgentStatusValidationSucceeded")).toMatchObject({
      status: "False",
      reason: "ValidationFailed",
      message: "parameters validation failed for 1 node(s)",
    });
    expect(template()?.status?.validationFailed).toEqual({ "node-2": "status command timed out after 15s" });
  });
});
