import { describe, expect, it } from "vitest";
import { fairShare } from "../../../src/twin/workload/contention.ts";
import { SYSTEM_RESERVED_ANNOTATION, startWorkloads } from "../../../src/twin/workload/index.ts";
import { GiB, addNode, addVmi, workloadTwin } from "../support/workload-fixture.ts";

/** A twin with the workload model wired to hand, and a host whose own system takes nothing. */
function setup(size: { cpu?: string; memory?: string } = {}) {
  const twin = workloadTwin();
  const workloads = startWorkloads(twin.runtime);
  addNode(twin, "node-a", size, (node) => {
    node.metadata.annotations = { [SYSTEM_RESERVED_ANNOTATION]: "cpu=0,memory=0" };
  });
  return { twin, sampler: workloads.sampler };
}

describe("fair share of an oversubscribed host", () => {
  it.each([
    { name: "everyone gets their demand when it fits", demands: [1, 2], weights: [1, 1], capacity: 4, granted: [1, 2] },
    { name: "equal weights split evenly", demands: [4, 4], weights: [1, 1], capacity: 4, granted: [2, 2] },
    { name: "a small demand is met in full", demands: [1, 4], weights: [4, 2], capacity: 4, granted: [1, 3] },
    {
      name: "what one leaves goes to the rest",
      demands: [0.5, 3, 3],
      weights: [1, 1, 1],
      capacity: 4,
      granted: [0.5, 1.75, 1.75],
    },
    {
      name: "weights set the split between greedy guests",
      demands: [8, 8],
      weights: [3, 1],
      capacity: 4,
      granted: [3, 1],
    },
    { name: "nothing to share", demands: [2, 2], weights: [1, 1], capacity: 0, granted: [0, 0] },
  ])("$name", ({ demands, weights, capacity, granted }) => {
    const out = new Float64Array(demands.length);
    const total = fairShare(Float64Array.from(demands), Float64Array.from(weights), capacity, out);
    granted.forEach((expected, index) => expect(out[index]).toBeCloseTo(expected, 12));
    expect(total).toBeCloseTo(
      Math.min(
        capacity,
        demands.reduce((sum, value) => sum + value, 0),
      ),
      12,
    );
  });
});

describe("the sampler", () => {
  it("sums the guests on a host, plus the host's own system share", () => {
    const twin = workloadTwin();
    const { sampler } = startWorkloads(twin.runtime);
    addNode(twin, "node-a", { cpu: "16", memory: "64Gi" });
    addVmi(twin, "one", { node: "node-a", vcpus: 2, memory: "4Gi", workload: { cpu: 0.5, memory: 0.5 } });
    addVmi(twin, "two", { node: "node-a", vcpus: 4, memory: "8Gi", workload: { cpu: 0.25, memory: 0.25 } });
    twin.advance(15_000);
    const ledger = sampler.ledger("node-a")!;
    // Guests 1 + 1 core, system 2 % of 16 cores; guests 2 + 2 GiB, system 2 GiB.
    expect(ledger.cpuCores).toBeCloseTo(2.32, 12);
    expect(ledger.memoryUsedBytes).toBe(6 * GiB);
    expect(ledger.memoryAvailableBytes()).toBe(58 * GiB);
  });

  it("integrates counters over virtual time: CPU seconds, and user + system + idle = capacity × time", () => {
    const twin = workloadTwin();
    const { sampler } = startWorkloads(twin.runtime);
    addNode(twin, "node-a", { cpu: "8" });
    const vm = addVmi(twin, "steady", { node: "node-a", vcpus: 2, workload: { cpu: 0.5 } });
    twin.advance(5 * 60_000);
    const meter = sampler.guest("node-a", vm)!;
    const ledger = sampler.ledger("node-a")!;
    expect(meter.cpuSeconds).toBeCloseTo(300, 9);
    expect(meter.vcpuDelaySeconds).toBe(0);
    expect(ledger.userSeconds).toBeCloseTo(300, 9);
    expect(ledger.systemSeconds).toBeCloseTo(0.16 * 300, 9);
    expect(ledger.userSeconds + ledger.systemSeconds + ledger.idleSeconds).toBeCloseTo(8 * 300, 9);
    expect(ledger.cpuWaitingSeconds).toBe(0);
  });

  it("credits a guest that starts between samples only for the time it ran", () => {
    const { twin, sampler } = setup();
    twin.advance(5_000);
    const vm = addVmi(twin, "late", { node: "node-a", vcpus: 1, workload: { cpu: 1 } });
    twin.advance(10_000);
    expect(sampler.guest("node-a", vm)!.cpuSeconds).toBeCloseTo(10, 9);
  });

  it("tracks a diurnal curve's integral", () => {
    const { twin, sampler } = setup({ cpu: "64" });
    const workload = { cpu: { type: "diurnal", mean: 0.5, amplitude: 0.4, period: "1h" } } as const;
    const vm = addVmi(twin, "wave", { node: "node-a", vcpus: 4, workload });
    twin.advance(45 * 60_000);
    // ∫ 4 (0.5 + 0.4 cos(2π t / 3600)) dt over 45 min = 5400 + 1.6 · 3600 / (2π) · sin(1.5π).
    const exact = 5400 - (1.6 * 3600) / (2 * Math.PI);
    expect(sampler.guest("node-a", vm)!.cpuSeconds).toBeCloseTo(exact, 0);
  });

  it("shares an oversubscribed host fairly: the shortfall is vCPU delay and CPU pressure", () => {
    const { twin, sampler } = setup({ cpu: "4" });
    const big = addVmi(twin, "big", { node: "node-a", vcpus: 4, workload: { cpu: 1 } });
    const small = addVmi(twin, "small", { node: "node-a", vcpus: 2, workload: { cpu: 0.5 } });
    twin.advance(60_000);
    const [bigMeter, smallMeter] = [sampler.guest("node-a", big)!, sampler.guest("node-a", small)!];
    expect(smallMeter.cpuSeconds).toBeCloseTo(60, 9);
    expect(smallMeter.vcpuDelaySeconds).toBe(0);
    expect(bigMeter.cpuSeconds).toBeCloseTo(180, 9);
    expect(bigMeter.vcpuDelaySeconds).toBeCloseTo(60, 9);
    const ledger = sampler.ledger("node-a")!;
    expect(ledger.idleSeconds).toBeCloseTo(0, 9);
    // A fifth of the demand waits: 12 s of pressure per minute.
    expect(ledger.cpuWaitingSeconds).toBeCloseTo(12, 9);
  });

  it("turns a load factor into contention at the next sample", () => {
    const { twin, sampler } = setup({ cpu: "4" });
    const vm = addVmi(twin, "spiking", { node: "node-a", vcpus: 8, workload: { cpu: 0.25 } });
    twin.advance(15_000);
    expect(sampler.guest("node-a", vm)!.vcpuDelaySeconds).toBe(0);
    twin.runtime.store.mutate(
      twin.runtime.resources.virtualMachineInstances,
      { namespace: "default", name: "spiking" },
      (vmi) => {
        vmi.metadata.annotations = { ...vmi.metadata.annotations, "twin.kubedrs.io/load-factor": "3" };
      },
    );
    twin.advance(15_000);
    expect(sampler.guest("node-a", vm)!.vcpuDelaySeconds).toBeCloseTo(15 * 2, 9);
  });

  it("counts memory beyond the host's as memory pressure", () => {
    const { twin, sampler } = setup({ memory: "8Gi" });
    addVmi(twin, "hungry", { node: "node-a", memory: "16Gi", workload: { memory: 0.75 } });
    twin.advance(30_000);
    const ledger = sampler.ledger("node-a")!;
    expect(ledger.memoryUsedBytes).toBe(8 * GiB);
    expect(ledger.memoryAvailableBytes()).toBe(0);
    expect(ledger.memoryWaitingSeconds).toBeCloseTo(30 / 3, 9);
  });

  it("restarts a migrated guest's counters on its target, as a new QEMU process does", () => {
    const { twin, sampler } = setup();
    addNode(twin, "node-b");
    const vm = addVmi(twin, "mover", { node: "node-a", vcpus: 1, workload: { cpu: 1 } });
    twin.advance(30_000);
    twin.runtime.truth.moveVm(vm, "node-a", "node-b");
    twin.advance(15_000);
    expect(sampler.guest("node-a", vm)).toBeUndefined();
    expect(sampler.guest("node-b", vm)!.cpuSeconds).toBeCloseTo(15, 9);
  });

  it("resets a host's counters when it loses power", () => {
    const { twin, sampler } = setup();
    addVmi(twin, "victim", { node: "node-a" });
    twin.advance(30_000);
    twin.runtime.truth.setHost("node-a", { powered: false });
    expect(sampler.ledger("node-a")).toBeUndefined();
    expect(sampler.sampledGuests("node-a")).toEqual([]);
    twin.advance(30_000);
    twin.runtime.truth.setHost("node-a", { powered: true });
    twin.advance(15_000);
    expect(sampler.ledger("node-a")!.idleSeconds).toBeCloseTo(16 * 15, 9);
  });

  it("needs a node capacity to meter a host", () => {
    const twin = workloadTwin();
    const { sampler } = startWorkloads(twin.runtime);
    addNode(twin, "node-a", {}, (node) => {
      node.status = {};
    });
    addVmi(twin, "somewhere", { node: "node-a" });
    twin.advance(15_000);
    expect(sampler.ledger("node-a")).toBeUndefined();
    expect(sampler.reportingHosts()).toEqual([]);
  });
});
