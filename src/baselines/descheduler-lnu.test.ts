import { describe, expect, it } from "vitest";
import { createRng } from "../core/numeric/rng.ts";
import type { ReplayHost, ReplayState, ReplayVm } from "../evaluate/replay-types.ts";
import { DESCHEDULER_LNU_SIMPLIFICATIONS, deschedulerLnu } from "./descheduler-lnu.ts";

const GB = 1e9;

interface VmSpec {
  readonly host: number;
  /** CPU use (cores) at the last sample; the sample before is 0, so a strategy averaging two would see half. */
  readonly cpu: number;
  readonly memory?: number;
  readonly requestCpu?: number;
}

/** Hosts of 10 cores, 100 GB and 10 pods (so each VM is 10 % of the pods); VMs of 5 GB requesting 1 core. */
function cluster(hosts: number, specs: readonly VmSpec[], migrating: readonly number[] = []): ReplayState {
  const vms: ReplayVm[] = specs.map((spec, i) => {
    const memory = spec.memory ?? 5 * GB;
    return { key: `ns/vm${i}`, vcpus: 4, memory, requests: { cpu: spec.requestCpu ?? 1, memory }, dirtyRate: 0 };
  });
  const list: ReplayHost[] = Array.from({ length: hosts }, (_, i) => ({
    name: `h${i}`,
    type: "G5",
    cores: 10,
    memory: 100 * GB,
    pods: 10,
    labels: {},
  }));
  return {
    now: 0,
    stepMs: 300_000,
    hosts: list,
    vms,
    hostOf: Int32Array.from(specs.map((spec) => spec.host)),
    cpuHistory: (vm, samples) => [0, specs[vm]?.cpu ?? 0].slice(-samples),
    migrating: new Set(migrating),
    migrations: [],
  };
}

function decide(state: ReplayState, seed = 1): readonly { vm: number; to: number }[] {
  return deschedulerLnu({ rng: createRng(seed) }).decide(state);
}

/**
 * Host 0: VMs 0–2 using 3 cores each → CPU 90 % > 50 %: over-utilized (memory 15 %, pods 30 %).
 * Host 1: VM 3 using 2 cores → CPU 20 %, memory 5 %, pods 10 %, all ≤ 20 %: under-utilized.
 * Host 2: VM 4 (requests 2 cores) using `host2Cpu` cores: under-utilized at 2, appropriate at 3.
 * Requests (what kube-scheduler sees): host 0 3 cores/15 GB/3 pods, host 1 1/5/1, host 2 2/5/1.
 */
function relieving(host2Cpu: number, overrides: Partial<Record<number, Partial<VmSpec>>> = {}): VmSpec[] {
  const base: VmSpec[] = [
    { host: 0, cpu: 3 },
    { host: 0, cpu: 3 },
    { host: 0, cpu: 3 },
    { host: 1, cpu: 2 },
    { host: 2, cpu: host2Cpu, requestCpu: 2 },
  ];
  return base.map((spec, i) => ({ ...spec, ...overrides[i] }));
}

describe("deschedulerLnu", () => {
  it("is named and runs every 5 minutes (the chart's deschedulingInterval)", () => {
    const strategy = deschedulerLnu({ rng: createRng(1) });
    expect(strategy.name).toBe("descheduler-lnu");
    expect(strategy.intervalMs).toBe(300_000);
    expect(DESCHEDULER_LNU_SIMPLIFICATIONS.length).toBeGreaterThan(0);
  });

  it.each([
    {
      name: "stops when the under-utilized nodes' headroom runs out, though the source is still above target",
      // Only host 1 is under-utilized: CPU headroom 5 − 2 = 3 cores. Evicting VM 0 (3 cores) leaves
      // host 0 at 6 > 5 cores but the headroom at 0, so eviction stops after one pod.
      // kube-scheduler for VM 0 (1 core, 5 GB): host 1 → 0.2 CPU, 0.1 memory: LA 85 + BA 95 + 300 = 480;
      // host 2 → 0.3, 0.1: LA 80 + BA 90 + 300 = 470. Host 1.
      state: cluster(3, relieving(3)),
      expected: [{ vm: 0, to: 1 }],
    },
    {
      name: "evicts until the source drops to its target, steering each target pod by the cycle's pending requests",
      // Hosts 1 and 2 under-utilized: headroom 3 + 3 = 6 cores. VM 0 → host 1 (480 vs 470); host 0
      // at 6 > 5 and headroom 3: go on. VM 1: host 1 now holds VM 0's target pod: 0.3 CPU, 0.15 memory
      // → LA 77 + BA 92 + 300 = 469; host 2: 470. Host 2. Host 0 at 3 ≤ 5 cores: stop.
      state: cluster(3, relieving(2)),
      expected: [
        { vm: 0, to: 1 },
        { vm: 1, to: 2 },
      ],
    },
    {
      name: "skips VMs with a migration in flight",
      // VM 0 is migrating (still counted on host 0). VM 1 → host 1, VM 2 → host 2, as above.
      state: cluster(3, relieving(2), [0]),
      expected: [
        { vm: 1, to: 1 },
        { vm: 2, to: 2 },
      ],
    },
    {
      name: "skips a VM kube-scheduler cannot place and evicts the next",
      // VM 0 requests 9.5 cores: no other host has room. VM 1 goes to host 1 and uses up the headroom.
      state: cluster(3, relieving(3, { 0: { requestCpu: 9.5 } })),
      expected: [{ vm: 1, to: 1 }],
    },
    {
      name: "reads actual use at the last sample, not requests",
      // Same cluster, but host 0's VMs use 1.5 cores each: 45 % ≤ 50 %, so no node is over-utilized.
      state: cluster(3, relieving(2, { 0: { cpu: 1.5 }, 1: { cpu: 1.5 }, 2: { cpu: 1.5 } })),
      expected: [],
    },
  ])("$name", ({ state, expected }) => {
    expect(decide(state)).toEqual(expected);
  });

  it("visits over-utilized nodes by summed usage, in which memory bytes dominate", () => {
    // Host 0: VMs 0–2 use 3 cores and 5 GB each → CPU 90 %, memory 15 %.
    // Host 2: VMs 4–6 use 2 cores and 10 GB each → CPU 60 %, memory 30 %: both over-utilized.
    // Host 1: VM 3 at 2 cores → under-utilized, headroom 3 cores.
    // Upstream sums millicores + bytes + pods, so host 2 (30 GB) goes first: VM 4 → host 1
    // (0.2 CPU, 0.15 memory: 82 + 97 vs host 0: 0.4, 0.25: 67 + 92); host 2 at 4 ≤ 5 cores: stop,
    // headroom 1 core. Host 0: VM 0 → host 1 (0.3, 0.2: 75 + 95 vs host 2: 0.4, 0.35: 62 + 97); headroom
    // 1 − 3 < 0: stop. Sorting by CPU instead would start at host 0 and stop after its first eviction.
    const specs: VmSpec[] = [
      { host: 0, cpu: 3 },
      { host: 0, cpu: 3 },
      { host: 0, cpu: 3 },
      { host: 1, cpu: 2 },
      { host: 2, cpu: 2, memory: 10 * GB },
      { host: 2, cpu: 2, memory: 10 * GB },
      { host: 2, cpu: 2, memory: 10 * GB },
    ];
    expect(decide(cluster(3, specs))).toEqual([
      { vm: 4, to: 1 },
      { vm: 0, to: 1 },
    ]);
  });

  it.each([
    {
      name: "no node is under-utilized",
      // Host 0 at 90 % CPU; hosts 1 and 2 at 30 % CPU: above the 20 % threshold.
      specs: relieving(3, { 3: { cpu: 3 } }),
    },
    {
      name: "no node is over-utilized",
      // Host 0 at 45 % CPU.
      specs: relieving(2, { 0: { cpu: 1.5 }, 1: { cpu: 1.5 }, 2: { cpu: 1.5 } }),
    },
  ])("does nothing when $name", ({ specs }) => {
    expect(decide(cluster(3, specs))).toEqual([]);
  });

  it("uses the pod-count threshold: a node with few pods but heavy CPU is not under-utilized", () => {
    // Host 1 runs 3 VMs at 0.5 cores: CPU 15 %, memory 15 %, pods 30 % > 20 %: appropriately utilized,
    // so host 2 (VM 6 at 2 cores, requests 2) is the only under-utilized node: headroom 3 cores.
    // VM 0 → kube-scheduler: host 1 (3 + 1 cores, 15 + 5 GB: 0.4, 0.2 → 70 + 90) vs host 2 (0.3, 0.1 → 80 + 90):
    // host 2.
    // Headroom 3 − 3 = 0: stop.
    const specs: VmSpec[] = [
      { host: 0, cpu: 3 },
      { host: 0, cpu: 3 },
      { host: 0, cpu: 3 },
      { host: 1, cpu: 0.5 },
      { host: 1, cpu: 0.5 },
      { host: 1, cpu: 0.5 },
      { host: 2, cpu: 2, requestCpu: 2 },
    ];
    expect(decide(cluster(3, specs))).toEqual([{ vm: 0, to: 2 }]);
  });
});
