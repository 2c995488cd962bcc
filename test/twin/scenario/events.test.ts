/**
 * Timed events fire at their virtual times and change the ground truth or the objects as
 * specified; events with `for` undo themselves. They run on a bare runtime, so nothing but the
 * event acts on the hosts and objects.
 */
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../../src/twin/api/types.ts";
import { applyScenario } from "../../../src/twin/scenario/index.ts";
import { at, textAt, firstPool, MINUTE, type RawScenario, bareTwin, decoded, scenarioDocument } from "./builders.ts";

function running(events: Record<string, unknown>[], apply?: (document: RawScenario) => void, seed = 1) {
  const twin = bareTwin(seed);
  applyScenario(
    twin,
    decoded(
      scenarioDocument((d) => {
        d.spec.events = events;
        apply?.(d);
      }),
    ),
  );
  const { truth, store, resources, log } = twin.runtime;
  const notes = (): string[] => log.lines().filter((line) => line.includes(" NOTE TwinEvent "));
  return { twin, truth, store, resources, notes };
}

describe("host events", () => {
  it("cuts a host's power at its time, not before", () => {
    const { twin, truth, notes } = running([{ at: "10m", type: "power-off", node: "node-02" }]);
    twin.advance(10 * MINUTE - 1000);
    expect(truth.host("node-02")?.powered).toBe(true);
    twin.advance(1000);
    expect(truth.host("node-02")?.powered).toBe(false);
    expect(truth.host("node-01")?.powered).toBe(true);
    expect(notes()).toEqual(["2026-11-22T08:10:00Z NOTE TwinEvent node-02 power-off [scenario]"]);
  });

  it("heals a partition after its duration", () => {
    const { twin, truth } = running([{ at: "5m", type: "partition", nodes: ["node-01", "node-03"], for: "2m" }]);
    twin.advance(6 * MINUTE);
    expect([truth.host("node-01")?.networked, truth.host("node-03")?.networked]).toEqual([false, false]);
    twin.advance(MINUTE);
    expect([truth.host("node-01")?.networked, truth.host("node-03")?.networked]).toEqual([true, true]);
  });

  it.each([
    ["a zone", { zone: "zone-b" }, ["node-02", "node-04"]],
    ["a pool", { pool: "node" }, ["node-01", "node-02", "node-03", "node-04"]],
    ["a node and a zone filter", { nodes: ["node-01", "node-02"], zone: "zone-a" }, ["node-01"]],
  ])("selects %s", (_name, target, expected) => {
    const { twin, truth } = running([{ at: "1m", type: "bmc-unreachable", ...target }]);
    twin.advance(MINUTE);
    const unreachable = truth.hostNames().filter((host) => truth.host(host)?.bmcReachable === false);
    expect(unreachable).toEqual(expected);
  });

  it("partitions a seeded half of the cluster", () => {
    const partitioned = (seed: number): string[] => {
      const { twin, truth } = running(
        [{ at: "1m", type: "partition", fraction: 0.5 }],
        (d) => (firstPool(d).count = 12),
        seed,
      );
      twin.advance(MINUTE);
      return truth.hostNames().filter((host) => truth.host(host)?.networked === false);
    };
    expect(partitioned(1)).toHaveLength(6);
    expect(partitioned(1)).toEqual(partitioned(1));
    const others = [2, 3, 4].map(partitioned);
    expect(others.some((hosts) => hosts.join() !== partitioned(1).join())).toBe(true);
  });

  it("flaps a host's network every period, `count` times", () => {
    const { twin, truth, notes } = running([{ at: "1m", type: "flap", node: "node-01", period: "30s", count: 4 }]);
    const seen: boolean[] = [];
    for (let step = 0; step < 4; step += 1) {
      twin.advance(step === 0 ? MINUTE : 30_000);
      seen.push(truth.host("node-01")?.networked ?? true);
    }
    expect(seen).toEqual([false, true, false, true]);
    expect(notes()).toHaveLength(4);
  });

  it("restores power with power-on", () => {
    const { twin, truth } = running([
      { at: "1m", type: "power-off", node: "node-01" },
      { at: "3m", type: "power-on", node: "node-01" },
    ]);
    twin.advance(2 * MINUTE);
    expect(truth.host("node-01")?.powered).toBe(false);
    twin.advance(MINUTE);
    expect(truth.host("node-01")?.powered).toBe(true);
  });
});

describe("events through the API", () => {
  it("requests maintenance with a NodeMaintenance and withdraws it after `for`", () => {
    const { twin, store, resources } = running([
      { at: "10m", type: "maintenance", node: "node-03", reason: "firmware", for: "30m" },
    ]);
    twin.advance(10 * MINUTE);
    const request = store.get(resources.nodeMaintenances, undefined, "maintenance-node-03");
    expect(request).toMatchObject({
      apiVersion: "nodemaintenance.medik8s.io/v1beta1",
      kind: "NodeMaintenance",
      spec: { nodeName: "node-03", reason: "firmware" },
    });
    twin.advance(30 * MINUTE);
    expect(store.get(resources.nodeMaintenances, undefined, "maintenance-node-03")).toBeUndefined();
  });

  it("ends maintenance with end-maintenance", () => {
    const { twin, store, resources } = running([
      { at: "1m", type: "maintenance", node: "node-01" },
      { at: "2m", type: "end-maintenance", node: "node-01" },
    ]);
    twin.advance(MINUTE);
    expect(store.count(resources.nodeMaintenances)).toBe(1);
    twin.advance(MINUTE);
    expect(store.count(resources.nodeMaintenances)).toBe(0);
  });

  it("reports degraded hardware as a node condition, and recovery after `for`", () => {
    const { twin, store, resources } = running([{ at: "1m", type: "degraded-hardware", node: "node-02", for: "5m" }]);
    const condition = (): unknown => {
      const conditions = at(store.get(resources.nodes, undefined, "node-02"), "status", "conditions");
      return (Array.isArray(conditions) ? (conditions as unknown[]) : []).find(
        (c) => at(c, "type") === "KernelDeadlock",
      );
    };
    twin.advance(MINUTE);
    expect(condition()).toMatchObject({ type: "KernelDeadlock", status: "True", reason: "HardwareDegraded" });
    twin.advance(5 * MINUTE);
    expect(condition()).toMatchObject({ status: "False", lastTransitionTime: "2026-11-22T08:06:00Z" });
  });
});

describe("load spikes", () => {
  const factorOf = (object: KubeObject | undefined, onTemplate: boolean): string | undefined =>
    onTemplate
      ? textAt(object, "spec", "template", "metadata", "annotations", "twin.kubedrs.io/load-factor")
      : textAt(object, "metadata", "annotations", "twin.kubedrs.io/load-factor");

  it("multiplies a group's load on its VM templates and running VMIs, and puts it back", () => {
    const { twin, store, resources } = running([{ at: "5m", type: "load-spike", group: "web", factor: 3, for: "10m" }]);
    // A running VMI, as KubeVirt would have made from web-01.
    store.create(resources.virtualMachineInstances, {
      metadata: { name: "web-01", namespace: "apps", annotations: {} },
    });
    twin.advance(5 * MINUTE);
    const vms = store.list(resources.virtualMachines);
    expect(vms.map((vm) => factorOf(vm, true))).toEqual(vms.map(() => "3"));
    expect(factorOf(store.get(resources.virtualMachineInstances, "apps", "web-01"), false)).toBe("3");
    twin.advance(10 * MINUTE);
    expect(factorOf(store.get(resources.virtualMachines, "apps", "web-01"), true)).toBeUndefined();
    expect(factorOf(store.get(resources.virtualMachineInstances, "apps", "web-01"), false)).toBeUndefined();
  });

  it("restores the factor a VM had before an overlapping spike", () => {
    const { twin, store, resources } = running([
      { at: "1m", type: "load-spike", vm: "apps/web-02", factor: 2 },
      { at: "2m", type: "load-spike", vm: "apps/web-02", factor: 5, for: "1m" },
    ]);
    twin.advance(2 * MINUTE);
    expect(factorOf(store.get(resources.virtualMachines, "apps", "web-02"), true)).toBe("5");
    twin.advance(MINUTE);
    expect(factorOf(store.get(resources.virtualMachines, "apps", "web-02"), true)).toBe("2");
  });

  it("skips, with a note, an event whose VMs are gone by its time", () => {
    const { twin, store, resources, notes } = running([{ at: "5m", type: "load-spike", group: "web", factor: 2 }]);
    for (const vm of store.list(resources.virtualMachines))
      store.delete(resources.virtualMachines, "apps", vm.metadata.name ?? "");
    twin.advance(5 * MINUTE);
    expect(notes()).toEqual([expect.stringContaining("events[0] load-spike skipped")]);
  });
});

it("notes the scenario's end at its duration", () => {
  const { twin } = running([]);
  twin.advance(60 * MINUTE);
  expect(twin.runtime.log.lines().at(-1)).toBe("2026-11-22T09:00:00Z NOTE TwinScenario test end");
});
