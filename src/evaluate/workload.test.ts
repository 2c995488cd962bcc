import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { decodeScenario, type Scenario } from "../twin/scenario/index.ts";
import { partOf } from "../twin/scenario/traces.ts";
import { MemoryTraceLibrary } from "../twin/workload/trace.ts";
import type { ReplayHost, ReplayVm } from "./replay-types.ts";
import { scenarioForDay } from "./scenario-day.ts";
import type { ReplayWorkload } from "./replay.ts";
import {
  accountingOption,
  packedPlacement,
  placementFrom,
  scenarioFacts,
  spreadPlacement,
  withAccounting,
  workloadFromScenario,
} from "./workload.ts";

const MiB = 2 ** 20;
const GiB = 2 ** 30;

/** How many 25-vCPU VMs the packed start puts on the first host (a G4). */
function highCpuOnFirstHost(workload: ReplayWorkload): number {
  return workload.vms.filter((vm, index) => vm.vcpus === 25 && workload.initialHostOf[index] === 0).length;
}
const host = (name: string): ReplayHost => ({ name, type: "t", cores: 8, memory: 4 * GiB, pods: 110, labels: {} });
const vm = (key: string, memory: number): ReplayVm => ({
  key,
  vcpus: 4,
  memory,
  requests: { cpu: 0.4, memory },
  dirtyRate: 0,
});

describe("partOf (CloudSim's VM types over a day's files)", () => {
  it.each([
    { files: 10, part: { index: 0, of: 4 }, expected: [0, 1, 2] },
    { files: 10, part: { index: 3, of: 4 }, expected: [9] },
    { files: 1052, part: { index: 3, of: 4 }, expectedLength: 263 },
    { files: 3, part: { index: 3, of: 4 }, expected: [] },
  ])("$files files, part $part.index of $part.of", ({ files, part, expected, expectedLength }) => {
    const chosen = partOf(
      Array.from({ length: files }, (_, index) => index),
      part,
    );
    if (expected) expect(chosen).toEqual(expected);
    if (expectedLength !== undefined) expect(chosen).toHaveLength(expectedLength);
  });
});

describe("initial placements", () => {
  const hosts = [host("h0"), host("h1"), host("h2")];
  const vms = [vm("a", 2 * GiB), vm("b", 2 * GiB), vm("c", 3 * GiB), vm("d", GiB)];

  it("packed: each VM on the first host with room for its requests", () => {
    // a and b fill h0's 4 GiB; c goes to h1, d fits beside it (3 + 1).
    expect([...packedPlacement(hosts, vms)]).toEqual([0, 0, 1, 1]);
  });

  it("packed: says which VM found no room", () => {
    expect(() => packedPlacement([host("h0")], vms)).toThrow(/no host can take c/);
  });

  it("packed: fits requests into what the kubelet leaves (allocatable) when the host says", () => {
    // h0 keeps 3 GiB for pods: a takes 2, b no longer fits there.
    const reserved = [{ ...host("h0"), allocatable: { cpu: 8, memory: 3 * GiB, pods: 110 } }, host("h1")];
    expect([...packedPlacement(reserved, vms.slice(0, 2))]).toEqual([0, 1]);
  });

  it.each([
    { name: "each VM on the node named for it", nodes: { a: "h2", b: "h0", c: "h0", d: "h1" }, expected: [2, 0, 0, 1] },
    { name: "says which VM has no node", nodes: { a: "h2", b: "h0", c: "h0" }, error: /d: no node given/ },
    { name: "says which node is not a host", nodes: { a: "h9", b: "h0", c: "h0", d: "h1" }, error: /a: no host h9/ },
  ])("from a cluster: $name", ({ nodes, expected, error }) => {
    const place = (): Int32Array => placementFrom(new Map(Object.entries(nodes)))(hosts, vms);
    if (error) expect(place).toThrow(error);
    else expect([...place()]).toEqual(expected);
  });

  it("spread: kube-scheduler's LeastAllocated puts the first VMs on empty hosts", () => {
    const placed = spreadPlacement(1)(hosts, vms);
    expect(new Set([...placed].slice(0, 3)).size).toBe(3);
    expect(placed[3]).not.toBe(placed[2]);
  });
});

/** planetlab-cloudsim on 20110306 with `perGroup` one-sample traces in each of its four VM groups. */
async function cloudsimScenario(perGroup: number): Promise<{ scenario: Scenario; library: MemoryTraceLibrary }> {
  const file = resolve(import.meta.dirname, "../../scenarios/planetlab-cloudsim.yaml");
  const raw = parse(scenarioForDay(await readFile(file, "utf8"), "20110306")) as unknown;
  const groups = ["high-cpu", "extra-large", "small", "micro"];
  const fileNames = (group: string): string[] => Array.from({ length: perGroup }, (_, index) => `/t/${group}-${index}`);
  const decoded = decodeScenario(raw, new Map(groups.map((group) => [group, fileNames(group)])));
  if (!decoded.ok) throw new Error(JSON.stringify(decoded.errors));
  const library = new MemoryTraceLibrary(
    groups.flatMap(fileNames).map((name): [string, Float64Array] => [name, Float64Array.from([0.1])]),
  );
  return { scenario: decoded.scenario, library };
}

describe("the planetlab-cloudsim scenario as a replay", () => {
  it("mirrors CloudSim's set-up: 800 hosts of two types, four VM types", async () => {
    const decoded = await cloudsimScenario(1);
    const library = decoded.library;
    const workload = workloadFromScenario(decoded.scenario, library, { day: "20110306", place: packedPlacement });
    const cores = workload.hosts.map((h) => h.cores);
    expect([cores.length, cores.filter((c) => c === 37).length, cores.filter((c) => c === 53).length]).toEqual([
      800, 400, 400,
    ]);
    expect(workload.hosts.every((h) => h.memory === 4 * GiB && h.migrationBandwidth === 125e6)).toBe(true);
    // 100 MIPS a core: 2500/2000/1000/500 MIPS with 870/1740/1740/613 MB.
    expect(workload.vms.map((v) => [v.vcpus, v.memory / 2 ** 20])).toEqual([
      [25, 870],
      [20, 1740],
      [10, 1740],
      [5, 613],
    ]);
    expect(workload.start).toBe(Date.parse("2011-03-06T00:00:00Z"));
    expect(workload.steps).toBe(288);
    const facts = scenarioFacts(decoded.scenario);
    expect([facts.name, facts.hosts, facts.stepMinutes]).toEqual(["planetlab-cloudsim", 800, 5]);
    expect(facts.hostTypes).toEqual(["400 × g4: 37 cores, 4GiB", "400 × g5: 53 cores, 4GiB"]);
    expect(facts.vmTypes[0]).toBe("high-cpu: 25 vCPU, 870MiB");
  });

  it("counts as CloudSim by default: four 25-vCPU VMs share a G4's whole 4 GiB", async () => {
    const { scenario, library } = await cloudsimScenario(16);
    const workload = workloadFromScenario(scenario, library, { day: "20110306", place: packedPlacement });
    expect(workload.hosts[0]?.allocatable).toBeUndefined();
    expect(workload.vms[0]?.requests).toEqual({ cpu: 2.5, memory: 870 * MiB });
    expect(highCpuOnFirstHost(workload)).toBe(4);
  });

  it("counts as Kubernetes when asked: launcher requests with KubeVirt's overhead against allocatable", async () => {
    const { scenario, library } = await cloudsimScenario(16);
    const workload = workloadFromScenario(scenario, library, {
      day: "20110306",
      place: packedPlacement,
      accounting: "kubernetes",
    });
    const g4 = workload.hosts[0]?.allocatable;
    // The kubelet keeps back CPU and memory: a G4 leaves about 36 cores and 2.9 GiB for pods.
    expect(g4?.cpu).toBeGreaterThan(35);
    expect(g4?.cpu).toBeLessThan(37);
    expect(g4?.memory).toBeGreaterThan(2.5 * GiB);
    expect(g4?.memory).toBeLessThan(3 * GiB);
    // KubeVirt adds its launcher's overhead to the guest's 870 MiB, and asks for more than 100m a vCPU.
    const high = workload.vms[0]?.requests;
    expect(high?.memory).toBeGreaterThan(1.2 * GiB);
    expect(high?.cpu).toBeGreaterThanOrEqual(2.5);
    expect(highCpuOnFirstHost(workload)).toBe(2);
  });

  it.each([
    { value: undefined, expected: "cloudsim" },
    { value: "kubernetes", expected: "kubernetes" },
  ])("--accounting $value is $expected", ({ value, expected }) => {
    expect(accountingOption(value)).toBe(expected);
  });

  it("refuses an --accounting it does not know, naming the choices", () => {
    expect(() => accountingOption("k8s")).toThrow('--accounting "k8s": expected one of cloudsim, kubernetes');
  });

  it("builds hosts, VMs and demand from a scenario's trace groups", () => {
    const text = [
      "apiVersion: kubedrs.io/v1alpha1",
      "kind: TwinScenario",
      "metadata: { name: tiny }",
      "spec:",
      "  start: '2011-03-03T00:00:00Z'",
      "  duration: 15m",
      "  nodePools:",
      "    - { name: g4, count: 2, cpu: skylake, cores: 37, memory: 4Gi, migrationBandwidth: 125M }",
      "  vmGroups:",
      "    - name: big",
      "      cpu: 25",
      "      memory: 870Mi",
      "      traces: { directory: /t, part: { index: 0, of: 2 }, interval: 5m, interpolation: hold, scale: 0.5 }",
      "      load: { dirtyRate: 8Mi }",
    ].join("\n");
    const library = new MemoryTraceLibrary([
      ["/t/a", Float64Array.from([0.2, 0.4])],
      ["/t/b", Float64Array.from([1, 1])],
    ]);
    const decoded = decodeScenario(parse(text), new Map([["big", ["/t/a"]]]));
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    const workload = workloadFromScenario(decoded.scenario, library, { day: "20110303", place: packedPlacement });
    expect(workload.hosts.map((h) => [h.name, h.cores, h.memory, h.migrationBandwidth])).toEqual([
      ["g4-01", 37, 4 * GiB, 125e6],
      ["g4-02", 37, 4 * GiB, 125e6],
    ]);
    expect(workload.hosts[0]?.labels["kubevirt.io/schedulable"]).toBe("true");
    expect(workload.vms).toEqual([
      {
        key: "default/big-01",
        vcpus: 25,
        memory: 870 * 2 ** 20,
        requests: { cpu: 2.5, memory: 870 * 2 ** 20 },
        dirtyRate: 8 * 2 ** 20,
      },
    ]);
    // Three 5-minute steps of a two-sample trace: it wraps; scale 0.5 halves every sample.
    expect([...(workload.demand[0] ?? [])]).toEqual([0.1, 0.2, 0.1]);
    expect(workload.start).toBe(Date.parse("2011-03-03T00:00:00Z"));
    expect(workload.stepMs).toBe(300_000);
  });
});

describe("withAccounting: the workload counted as Kubernetes counts it", () => {
  const base: ReplayWorkload = {
    name: "w",
    day: "20110303",
    start: 0,
    stepMs: 300_000,
    steps: 1,
    hosts: [host("h0")],
    vms: [vm("a", GiB)],
    demand: [Float64Array.from([0.5])],
    initialHostOf: Int32Array.from([0]),
  };
  const allocatable = new Map([["h0", { cpu: 7.5, memory: 3 * GiB, pods: 110 }]]);
  const requests = new Map([["a", { cpu: 0.4, memory: 1.4 * GiB }]]);

  it("gives hosts their allocatable and VMs their launcher requests, leaving the rest", () => {
    const counted = withAccounting(base, { allocatable, requests });
    expect(counted.hosts[0]).toEqual({ ...host("h0"), allocatable: { cpu: 7.5, memory: 3 * GiB, pods: 110 } });
    expect(counted.vms[0]).toEqual({ ...vm("a", GiB), requests: { cpu: 0.4, memory: 1.4 * GiB } });
    expect([counted.hosts[0]?.cores, counted.hosts[0]?.memory, counted.vms[0]?.memory]).toEqual([8, 4 * GiB, GiB]);
    expect(counted.initialHostOf).toBe(base.initialHostOf);
  });

  it.each([
    { name: "a host", accounting: { allocatable: new Map(), requests }, error: /nothing for h0/ },
    { name: "a VM", accounting: { allocatable, requests: new Map() }, error: /nothing for a/ },
  ])("says when it lacks $name", ({ accounting, error }) => {
    expect(() => withAccounting(base, accounting)).toThrow(error);
  });
});

describe("scenarioForDay", () => {
  it("moves the clock and every trace directory to the day, and refuses what is not a day", () => {
    const text =
      "spec:\n  start: '2011-03-03T00:00:00Z'\n  vmGroups:\n    - name: a\n      traces: { directory: planetlab/20110303 }\n    - name: b\n      count: 1\n";
    const moved = scenarioForDay(text, "20110420");
    expect(moved).toContain("2011-04-20T00:00:00Z");
    expect(moved).toContain("planetlab/20110420");
    expect(moved).not.toContain("20110303");
    expect(moved).not.toMatch(/name: b\n\s+traces/);
    expect(() => scenarioForDay(text, "2011-04-20")).toThrow(/YYYYMMDD/);
  });
});
