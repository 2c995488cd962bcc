import { describe, expect, it } from "vitest";
import { MigrationRunner, type RunnerWorld } from "./migration-runner.ts";
import { runReplay, type ReplayWorkload } from "./replay.ts";
import type { ReplayHost, ReplayMove, ReplayState, ReplayStrategy, ReplayVm } from "./replay-types.ts";

const GiB = 2 ** 30;
const MINUTE = 60_000;

function host(name: string, cores = 10, memory = 8 * GiB): ReplayHost {
  return { name, type: "test", cores, memory, pods: 110, labels: {}, migrationBandwidth: 1.25e9 };
}

function vm(key: string, vcpus = 4, memory = 2 * GiB): ReplayVm {
  return { key, vcpus, memory, requests: { cpu: vcpus / 10, memory }, dirtyRate: 0 };
}

function workload(parts: { hosts: ReplayHost[]; vms: ReplayVm[]; demand: number[][]; on: number[] }): ReplayWorkload {
  return {
    name: "test",
    day: "20110303",
    start: 0,
    stepMs: 5 * MINUTE,
    steps: parts.demand[0]?.length ?? 0,
    hosts: parts.hosts,
    vms: parts.vms,
    demand: parts.demand.map((series) => Float64Array.from(series)),
    initialHostOf: Int32Array.from(parts.on),
  };
}

/** A strategy that asks for the given moves at its first decision and records what it saw. */
function scripted(moves: ReplayMove[], seen: ReplayState[] = []): ReplayStrategy {
  return {
    name: "scripted",
    intervalMs: 5 * MINUTE,
    decide(state) {
      seen.push({ ...state, hostOf: state.hostOf.slice() });
      return seen.length === 1 ? moves : [];
    },
  };
}

const clock = (): number => 0;

describe("runReplay", () => {
  it("measures utilization by host and step without moves", () => {
    // h0 holds a (4 vCPU at 50% = 2 cores) and b (4 vCPU at 100% = 4 cores): 6 of 10 cores.
    const run = runReplay(
      workload({
        hosts: [host("h0"), host("h1")],
        vms: [vm("a"), vm("b")],
        demand: [
          [0.5, 0.25],
          [1, 1],
        ],
        on: [0, 0],
      }),
      scripted([]),
      { clock },
    );
    expect([...run.utilization].map((value) => Math.round(value * 1000) / 1000)).toEqual([0.6, 0, 0.5, 0]);
    expect(run.input.migrations).toEqual([]);
    // a asks 2 + 1 cores × 300 s, b 4 + 4.
    expect(run.input.requestedCpuSeconds.get("a")).toBeCloseTo(900);
    expect(run.input.requestedCpuSeconds.get("b")).toBeCloseTo(2400);
  });

  it("weighs a migration's effect by how long the new placement lasted", () => {
    // b (4 cores of demand) moves from h0 to h1 one minute in; it copies 2 GiB at 1.25 GB/s, ~1.7 s.
    const run = runReplay(
      workload({ hosts: [host("h0"), host("h1")], vms: [vm("a"), vm("b")], demand: [[0.5], [1]], on: [0, 0] }),
      scripted([{ vm: 1, to: 1 }]),
      { clock },
    );
    const [migration] = run.input.migrations;
    expect(migration?.outcome).toBe("succeeded");
    const seconds = ((migration?.endedAt ?? 0) - MINUTE) / 1000;
    expect(seconds).toBeGreaterThan(1);
    expect(seconds).toBeLessThan(5);
    const movedAt = (migration?.endedAt ?? 0) / (5 * MINUTE);
    // h0: 6 cores until the move, 2 after; h1: 4 after.
    expect(run.utilization[0]).toBeCloseTo((6 * movedAt + 2 * (1 - movedAt)) / 10, 5);
    expect(run.utilization[1]).toBeCloseTo((4 * (1 - movedAt)) / 10, 5);
  });

  it("replays only the first steps when told how many", () => {
    const seen: ReplayState[] = [];
    const run = runReplay(
      workload({ hosts: [host("h0")], vms: [vm("a")], demand: [[0.1, 0.2, 0.3]], on: [0] }),
      scripted([], seen),
      { clock, steps: 2 },
    );
    expect(run.input.samples.map((sample) => sample.at / MINUTE)).toEqual([0, 5]);
    expect(run.utilization).toHaveLength(2);
    expect(seen.map((state) => state.now / MINUTE)).toEqual([1, 6]);
    // 0.4 then 0.8 cores for 300 s each: the third step is not asked for.
    expect(run.input.requestedCpuSeconds.get("a")).toBeCloseTo(360);
  });

  it("shows a step's level only once the metrics delay has passed", () => {
    const seen: ReplayState[] = [];
    runReplay(
      workload({ hosts: [host("h0")], vms: [vm("a")], demand: [[0.1, 0.2, 0.3]], on: [0] }),
      scripted([], seen),
      { clock, metricsLagMs: MINUTE },
    );
    // Decisions at 1, 6 and 11 minutes see the samples of steps 0, 0..1 and 0..2: never a later one.
    expect(seen.map((state) => state.now / MINUTE)).toEqual([1, 6, 11]);
    expect(seen.map((state) => state.cpuHistory(0, 5).map((cores) => Math.round(cores * 10) / 10))).toEqual([
      [0.4],
      [0.4, 0.8],
      [0.4, 0.8, 1.2],
    ]);
  });
});

describe("MigrationRunner", () => {
  function world(hosts: ReplayHost[], vms: ReplayVm[], on: number[]): RunnerWorld & { moves: string[] } {
    const hostOf = Int32Array.from(on);
    const moves: string[] = [];
    return {
      hosts,
      vms,
      hostOf,
      moves,
      cpuNow: () => 1,
      moved(index, to, at) {
        hostOf[index] = to;
        moves.push(`${vms[index]?.key}->${hosts[to]?.name}@${Math.round(at)}`);
      },
    };
  }

  it("never runs more than the cluster and per-node limits at once, and queues the rest", () => {
    const hosts = [host("h0", 100, 100 * GiB), host("h1", 100, 100 * GiB), host("h2", 100, 100 * GiB)];
    const vms = Array.from({ length: 6 }, (_, index) => vm(`v${index}`));
    const runner = new MigrationRunner(world(hosts, vms, [0, 0, 0, 1, 1, 1]), { perCluster: 3, outboundPerNode: 2 });
    runner.submit(
      vms.map((_, index) => ({ vm: index, to: 2 })),
      0,
    );
    // Started at 0: v0, v1 (h0's two outbound slots) and v3 (the third cluster slot); the rest wait.
    expect(runner.migrating.size).toBe(6);
    runner.advanceTo(0);
    runner.advanceTo(3_600_000);
    const starts = runner.records.map((record) => record.startedAt);
    expect(starts.filter((start) => start === 0)).toHaveLength(3);
    expect(runner.records.every((record) => record.outcome === "succeeded")).toBe(true);
    // Whenever one ran, no more than 3 overlapped.
    for (const record of runner.records) {
      const overlapping = runner.records.filter(
        (other) => other.startedAt <= record.startedAt && other.endedAt > record.startedAt,
      );
      expect(overlapping.length).toBeLessThanOrEqual(3);
    }
  });

  it("fails a migration whose target has no room for the requests, copying nothing", () => {
    const hosts = [host("h0", 10, 8 * GiB), host("h1", 10, 3 * GiB)];
    const vms = [vm("a", 4, 2 * GiB), vm("b", 4, 2 * GiB)];
    const runner = new MigrationRunner(world(hosts, vms, [0, 0]));
    runner.submit(
      [
        { vm: 0, to: 1 },
        { vm: 1, to: 1 },
      ],
      0,
    );
    runner.advanceTo(60_000);
    expect(runner.records.map((record) => [record.vm, record.outcome, record.bytes > 0])).toEqual([
      ["b", "failed", false],
      ["a", "succeeded", true],
    ]);
  });

  it("fits requests into the target's allocatable when it has one, not its whole memory", () => {
    const reserved = { ...host("h1", 10, 8 * GiB), allocatable: { cpu: 9, memory: GiB, pods: 110 } };
    const runner = new MigrationRunner(world([host("h0"), reserved], [vm("a", 4, 2 * GiB)], [0]));
    runner.submit([{ vm: 0, to: 1 }], 0);
    runner.advanceTo(60_000);
    expect(runner.records.map((record) => record.outcome)).toEqual(["failed"]);
  });

  it("ignores a move to where the VM already is and a second move of a VM in flight", () => {
    const runner = new MigrationRunner(world([host("h0"), host("h1")], [vm("a")], [0]));
    runner.submit(
      [
        { vm: 0, to: 0 },
        { vm: 0, to: 1 },
        { vm: 0, to: 1 },
      ],
      0,
    );
    runner.advanceTo(60_000);
    expect(runner.records).toHaveLength(1);
  });
});
