import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { LOAD_FACTOR_ANNOTATION, WORKLOAD_ANNOTATION, startWorkloads } from "../../../src/twin/workload/index.ts";
import { MemoryTraceLibrary, parseTrace } from "../../../src/twin/workload/trace.ts";
import { GiB, MiB, START, addNode, addVmi, annotateVmi, workloadTwin } from "../support/workload-fixture.ts";

const FIXTURES = resolve(import.meta.dirname, "fixtures");

describe("guest usage", () => {
  it("defaults to 30 % of the vCPUs, 70 % of guest memory and 16 MiB/s without an annotation", () => {
    const twin = workloadTwin();
    addNode(twin, "node-a");
    const vm = addVmi(twin, "plain", { node: "node-a", vcpus: 4, memory: "8Gi" });
    expect(twin.runtime.workload.usage(vm, START)).toEqual({
      cpuMillis: 1200,
      memoryBytes: Math.round(0.7 * 8 * GiB),
      dirtyRateBytesPerSecond: 16 * MiB,
    });
  });

  it.each([
    { name: "the topology", apply: { cpu: { sockets: 2, cores: 3, threads: 2 } }, cpuMillis: 6000 },
    { name: "a topology with only cores", apply: { cpu: { cores: 3 } }, cpuMillis: 1500 },
    { name: "the CPU limit, rounded up", apply: { resources: { limits: { cpu: "2500m" } } }, cpuMillis: 1500 },
    { name: "the CPU request", apply: { resources: { requests: { cpu: "2" } } }, cpuMillis: 1000 },
    { name: "one vCPU when nothing says", apply: {}, cpuMillis: 500 },
  ])("counts vCPUs from $name", ({ apply, cpuMillis }) => {
    const twin = workloadTwin();
    addNode(twin, "node-a");
    const vm = addVmi(twin, "sized", { node: "node-a", workload: { cpu: 0.5 } }, (vmi) => {
      vmi.spec!.domain = { memory: { guest: "1Gi" }, ...apply };
    });
    expect(twin.runtime.workload.usage(vm, START)?.cpuMillis).toBe(cpuMillis);
  });

  it("takes guest memory from the request when memory.guest is unset", () => {
    const twin = workloadTwin();
    addNode(twin, "node-a");
    const vm = addVmi(twin, "requested", { node: "node-a", workload: { memory: 0.5 } }, (vmi) => {
      vmi.spec!.domain = { cpu: { cores: 1 }, resources: { requests: { memory: "2Gi" } } };
    });
    expect(twin.runtime.workload.usage(vm, START)?.memoryBytes).toBe(GiB);
  });

  it("scales CPU and dirty rate, not memory, by the load factor, and never beyond the vCPUs", () => {
    const twin = workloadTwin();
    addNode(twin, "node-a");
    const workload = { cpu: 0.2, memory: 0.5, dirtyRate: { base: "4Mi", perCpu: "10Mi" } };
    const vm = addVmi(twin, "spiky", { node: "node-a", vcpus: 4, memory: "4Gi", workload, loadFactor: 2 });
    expect(twin.runtime.workload.usage(vm, START)).toEqual({
      cpuMillis: 1600,
      memoryBytes: 2 * GiB,
      dirtyRateBytesPerSecond: 2 * 4 * MiB + 1.6 * 10 * MiB,
    });
    annotateVmi(twin, vm, { [LOAD_FACTOR_ANNOTATION]: "10" });
    expect(twin.runtime.workload.usage(vm, START)?.cpuMillis).toBe(4000);
    annotateVmi(twin, vm, { [LOAD_FACTOR_ANNOTATION]: undefined });
    expect(twin.runtime.workload.usage(vm, START)?.cpuMillis).toBe(800);
  });

  it("follows a changed workload annotation", () => {
    const twin = workloadTwin();
    addNode(twin, "node-a");
    const vm = addVmi(twin, "changing", { node: "node-a", vcpus: 2, workload: { cpu: 0.25 } });
    expect(twin.runtime.workload.usage(vm, START)?.cpuMillis).toBe(500);
    annotateVmi(twin, vm, { [WORKLOAD_ANNOTATION]: JSON.stringify({ cpu: { type: "constant", value: 0.75 } }) });
    expect(twin.runtime.workload.usage(vm, START)?.cpuMillis).toBe(1500);
  });

  it("follows the curve over virtual time", () => {
    const twin = workloadTwin();
    addNode(twin, "node-a");
    const workload = { cpu: { type: "diurnal", mean: 0.5, amplitude: 0.25, phase: "12h" } } as const;
    const vm = addVmi(twin, "daily", { node: "node-a", vcpus: 4, workload });
    expect(twin.runtime.workload.usage(vm, START)?.cpuMillis).toBe(1000);
    expect(twin.runtime.workload.usage(vm, START + 12 * 3600_000)?.cpuMillis).toBe(3000);
  });

  it("knows nothing of a guest that is not running, or a VM without a VMI", () => {
    const twin = workloadTwin();
    addNode(twin, "node-a");
    const stopped = addVmi(twin, "stopped", { node: "node-a", start: false });
    twin.runtime.truth.startVm("default/ghost", "node-a");
    expect(twin.runtime.workload.usage(stopped, START)).toBeUndefined();
    expect(twin.runtime.workload.usage("default/ghost", START)).toBeUndefined();
    const running = addVmi(twin, "running", { node: "node-a" });
    twin.runtime.truth.stopVm(running, "node-a");
    expect(twin.runtime.workload.usage(running, START)).toBeUndefined();
  });

  it("falls back to the defaults for a bad annotation, and says why in a Warning Event", () => {
    const twin = workloadTwin();
    addNode(twin, "node-a");
    const vm = addVmi(twin, "bad", {
      node: "node-a",
      vcpus: 2,
      workload: '{"cpu": {"type": "diurnal", "mean": -1, "amplitude": 0}}',
      loadFactor: "lots",
    });
    expect(twin.runtime.workload.usage(vm, START)?.cpuMillis).toBe(600);
    const events = twin.runtime.store.list(twin.runtime.resources.events);
    const messages = events.filter((event) => event.reason === "InvalidWorkload").map((event) => event.message);
    expect(messages).toEqual([expect.stringContaining("cpu.mean"), expect.stringContaining(LOAD_FACTOR_ANNOTATION)]);
    expect(events.every((event) => event.type === "Warning")).toBe(true);
  });

  it("replays a trace file from the trace directory", () => {
    const twin = workloadTwin();
    const workloads = startWorkloads(twin.runtime, { traceDirectory: FIXTURES });
    addNode(twin, "node-a");
    const workload = { cpu: { type: "trace", file: "four-samples.trace" } } as const;
    const vm = addVmi(twin, "traced", { node: "node-a", vcpus: 10, workload });
    expect(workloads.source.usage(vm, START + 150_000)?.cpuMillis).toBe(1500);
    expect(workloads.source.usage(vm, START + 900_000)?.cpuMillis).toBe(4000);
  });

  it("replays traces handed in from memory", () => {
    const twin = workloadTwin();
    const traces = new MemoryTraceLibrary([["day-1/vm-7", parseTrace("50\n", "day-1/vm-7")]]);
    const workloads = startWorkloads(twin.runtime, { traces });
    addNode(twin, "node-a");
    const vm = addVmi(twin, "traced", {
      node: "node-a",
      vcpus: 2,
      workload: { cpu: { type: "trace", file: "day-1/vm-7" } },
    });
    expect(workloads.source.usage(vm, START)?.cpuMillis).toBe(1000);
  });

  it("gives two twins with the same seed the same noisy load, and another seed another", () => {
    const workload = { cpu: { type: "randomWalk", mean: 0.5, volatility: 0.1 } } as const;
    const loads = [7, 7, 8].map((seed) => {
      const twin = workloadTwin(seed);
      addNode(twin, "node-a");
      const vm = addVmi(twin, "walker", { node: "node-a", vcpus: 8, workload });
      return Array.from(
        { length: 20 },
        (_, minute) => twin.runtime.workload.usage(vm, START + minute * 60_000)?.cpuMillis,
      );
    });
    expect(loads[1]).toEqual(loads[0]);
    expect(loads[2]).not.toEqual(loads[0]);
  });
});
