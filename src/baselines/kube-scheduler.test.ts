import { describe, expect, it } from "vitest";
import { type Rng, createRng } from "../core/numeric/rng.ts";
import {
  type ReplayHost,
  type ReplayState,
  type ReplayVm,
  type HostRequests,
  addRequests,
  emptyRequests,
} from "../evaluate/replay-types.ts";
import { type SchedulerCursor, feasibleNodesToFind, scheduleTarget } from "./kube-scheduler.ts";

const GB = 1e9;

function host(index: number, overrides: Partial<ReplayHost> = {}): ReplayHost {
  return { name: `h${index}`, type: "G5", cores: 10, memory: 100 * GB, pods: 110, labels: {}, ...overrides };
}

function vm(key: string, cpu = 2, memory = 10 * GB): ReplayVm {
  return { key, vcpus: 4, memory, requests: { cpu, memory }, dirtyRate: 0 };
}

/** Hosts with 10 cores, 100 GB and 110 pods each; VM 0 (requests 2 cores, 10 GB) runs on host 0. */
function cluster(
  hosts: number,
  overrides: Record<number, Partial<ReplayHost>> = {},
  migrant = vm("ns/migrant"),
): ReplayState {
  return {
    now: 0,
    stepMs: 300_000,
    hosts: Array.from({ length: hosts }, (_, i) => host(i, overrides[i])),
    vms: [migrant],
    hostOf: Int32Array.from([0]),
    cpuHistory: () => [],
    migrating: new Set(),
    migrations: [],
  };
}

/** Host requests given as [cpu cores, memory GB, pods] per host. */
function requests(...rows: (readonly [number, number, number])[]): HostRequests {
  const all = emptyRequests(rows.length);
  rows.forEach(([cpu, memory, pods], h) => {
    all.cpu[h] = cpu;
    all.memory[h] = memory * GB;
    all.pods[h] = pods;
  });
  return all;
}

/** An Rng that fails the test if kube-scheduler draws from it. */
const noDraws: Rng = {
  ...createRng(0),
  int: () => {
    throw new Error("drew a random number");
  },
};

describe("scheduleTarget: filters", () => {
  it.each([
    {
      name: "the source is excluded even when it is the emptiest node",
      // Host 0 holds only the migrant itself; host 1 is busier but is the only other node.
      hosts: 2,
      overrides: {},
      req: requests([2, 10, 1], [6, 50, 5]),
      expected: 1,
    },
    {
      name: "CPU requests must fit allocatable minus what the node's pods request",
      // Host 1: 9 + 2 = 11 > 10 cores; host 2: 8 + 2 = 10 fits exactly.
      hosts: 3,
      overrides: {},
      req: requests([2, 10, 1], [9, 0, 1], [8, 0, 1]),
      expected: 2,
    },
    {
      name: "memory requests must fit",
      // Host 1: 95 + 10 = 105 > 100 GB; host 2: 90 + 10 = 100 fits exactly.
      hosts: 3,
      overrides: {},
      req: requests([2, 10, 1], [0, 95, 1], [0, 90, 1]),
      expected: 2,
    },
    {
      name: "one more pod must fit the node's pod capacity",
      // Host 1 already runs 4 of its 4 pods.
      hosts: 3,
      overrides: { 1: { pods: 4 } },
      req: requests([2, 10, 1], [0, 0, 4], [5, 50, 3]),
      expected: 2,
    },
    {
      name: "a node's allocatable, when given, is what requests must fit, not its capacity",
      // Host 1 has 100 GB but the kubelet leaves 35: 30 + 10 = 40 > 35. Counted against its capacity it
      // would fit and, emptier than host 2 (40 GB), win.
      hosts: 3,
      overrides: { 1: { allocatable: { cpu: 10, memory: 35 * GB, pods: 110 } } },
      req: requests([2, 10, 1], [0, 30, 1], [0, 40, 1]),
      expected: 2,
    },
    {
      name: "no node fits: the target pod stays Pending",
      hosts: 3,
      overrides: {},
      req: requests([2, 10, 1], [9, 0, 1], [0, 95, 1]),
      expected: undefined,
    },
  ])("$name", ({ hosts, overrides, req, expected }) => {
    // One feasible node at most: kube-scheduler takes it without scoring or drawing.
    expect(scheduleTarget(cluster(hosts, overrides), 0, { rng: noDraws, requests: req })).toBe(expected);
  });
});

describe("scheduleTarget: scores", () => {
  it.each([
    {
      name: "LeastAllocated prefers the node with fewer requests",
      // Migrant: 2 cores, 10 GB. Host 1: 4 + 2 = 6/10 cores, 40 + 10 = 50/100 GB → LA (40 + 50) / 2 = 45,
      // BA 100 × (1 − |0.6 − 0.5| / 2) = 95, taints 100 × 3 → 440.
      // Host 2 (empty): 0.2, 0.1 → LA 85, BA 95 → 480.
      req: requests([2, 10, 1], [4, 40, 2], [0, 0, 0]),
      taints: [0, 0, 0],
      expected: 2,
    },
    {
      name: "BalancedAllocation breaks an even LeastAllocated",
      // Host 1: 0.5 CPU, 0.3 memory → LA (50 + 70) / 2 = 60, BA 100 × (1 − 0.1) = 90 → 150.
      // Host 2: 0.4, 0.4 → LA 60, BA 100 → 160.
      req: requests([2, 10, 1], [3, 20, 1], [2, 30, 1]),
      taints: [0, 0, 0],
      expected: 2,
    },
    {
      name: "fewer intolerable PreferNoSchedule taints win (normalized and reversed, weight 3)",
      // All three empty (LA 85, BA 95); taint counts 2, 1, 0 → 0, 50, 100 after normalization.
      hosts: 4,
      req: requests([2, 10, 1], [0, 0, 0], [0, 0, 0], [0, 0, 0]),
      taints: [0, 2, 1, 0],
      expected: 3,
    },
    {
      name: "taints outweigh load",
      // Host 1: loaded, untainted: LA 45, BA 95, taint 100 → 440. Host 2: empty, 2 taints (the most): 180 + 0.
      req: requests([2, 10, 1], [4, 40, 2], [0, 0, 0]),
      taints: [0, 0, 2],
      expected: 1,
    },
  ])("$name", ({ hosts = 3, req, taints, expected }) => {
    const options = { rng: noDraws, requests: req, preferNoSchedule: (h: number) => taints[h] ?? 0 };
    expect(scheduleTarget(cluster(hosts), 0, options)).toBe(expected);
  });

  it("counts the requests of target pods placed earlier in the cycle", () => {
    // Hosts 1 and 2 start equal; a pending 4-core pod on host 1 makes host 2 the clear choice.
    const req = requests([2, 10, 1], [1, 10, 1], [1, 10, 1]);
    const pending = emptyRequests(3);
    addRequests(pending, 1, vm("ns/earlier", 4, 20 * GB));
    expect(scheduleTarget(cluster(3), 0, { rng: noDraws, requests: req, pending })).toBe(2);
  });
});

describe("scheduleTarget: ties", () => {
  it("picks uniformly among the top scores with the injected Rng, and replays with the same seed", () => {
    // Hosts 1–3 are identical and empty: every pick is a three-way tie.
    const state = cluster(4);
    const req = requests([2, 10, 1], [0, 0, 0], [0, 0, 0], [0, 0, 0]);
    const picks = (seed: number): number[] => {
      const rng = createRng(seed);
      return Array.from({ length: 300 }, () => scheduleTarget(state, 0, { rng, requests: req }) ?? -1);
    };
    const counts = [0, 0, 0, 0];
    for (const pick of picks(7)) counts[pick] = (counts[pick] ?? 0) + 1;
    expect(counts[0]).toBe(0);
    for (const count of counts.slice(1)) expect(count).toBeGreaterThan(70);
    expect(picks(7)).toEqual(picks(7));
    expect(picks(8)).not.toEqual(picks(7));
  });
});

describe("scheduleTarget: sampling of feasible nodes", () => {
  it.each([
    { nodes: 50, percentage: 0, expected: 50 },
    { nodes: 100, percentage: 0, expected: 100 }, // 50 % of 100 = 50, raised to the 100-node minimum
    { nodes: 800, percentage: 0, expected: 352 }, // 50 − 800/125 = 44 % (integer division)
    { nodes: 5000, percentage: 0, expected: 500 }, // 10 %
    { nodes: 10000, percentage: 0, expected: 500 }, // floor of 5 %
    { nodes: 800, percentage: 100, expected: 800 },
    { nodes: 800, percentage: 10, expected: 100 },
  ])("numFeasibleNodesToFind($nodes, $percentage%) = $expected", ({ nodes, percentage, expected }) => {
    expect(feasibleNodesToFind(nodes, percentage)).toBe(expected);
  });

  it("scores only the first feasible nodes from the cursor on, and moves the cursor past them", () => {
    // 200 nodes → 100 feasible wanted. Every host requests 5 cores except host 50 (4, best of the first
    // window: LA 65 + BA 75 vs 60 + 70) and host 150 (0, best overall: 85 + 95).
    const rows = Array.from({ length: 200 }, (_, h): [number, number, number] => [
      h === 150 ? 0 : h === 50 ? 4 : 5,
      0,
      1,
    ]);
    const state = cluster(200);
    const req = requests(...rows);
    const cursor: SchedulerCursor = { next: 0 };
    // From 0: host 0 is the source, hosts 1–100 are the 100 feasible ones; 101 checked.
    expect(scheduleTarget(state, 0, { rng: noDraws, requests: req, cursor })).toBe(50);
    expect(cursor.next).toBe(101);
    // From 101: hosts 101–199, then 0 (source) and 1 make 100 feasible; 101 checked again.
    expect(scheduleTarget(state, 0, { rng: noDraws, requests: req, cursor })).toBe(150);
    expect(cursor.next).toBe(2);
  });
});
