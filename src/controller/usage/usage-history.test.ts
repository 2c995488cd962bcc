import { describe, expect, it } from "vitest";
import { balancePolicySpec } from "../../core/policy/kinds/balance-policy.ts";
import type { NodeSample, UsageSample, VmSample } from "./types.ts";
import { historySettingsOf, UsageHistory, type HistorySettings } from "./usage-history.ts";

const T0 = Date.UTC(2026, 2, 2);
const S = 1000;
const MEAN_600: HistorySettings = { windowSeconds: 600, method: "Mean", halfLifeSeconds: 300 };

function round(
  secondsAfterT0: number,
  nodes: Record<string, NodeSample> = {},
  vms: Record<string, VmSample> = {},
): UsageSample {
  return { at: T0 + secondsAfterT0 * S, nodes: new Map(Object.entries(nodes)), vms: new Map(Object.entries(vms)) };
}

/** A history fed `count` rounds `every` seconds apart, where VM "ns/vm" uses i+1 millicores in round i. */
function rampHistory(count: number, every: number, history = new UsageHistory()): UsageHistory {
  for (let i = 0; i < count; i++) history.record(round(i * every, {}, { "ns/vm": { cpuMillicores: i + 1 } }));
  return history;
}

describe("UsageHistory", () => {
  it("summarizes each signal of each node and VM over the window", () => {
    const history = new UsageHistory();
    history.record(round(0, { a: { cpuMillicores: 1000, memoryBytes: 10 } }, { "ns/vm": { cpuMillicores: 100 } }));
    history.record(round(30, { a: { cpuMillicores: 3000, memoryBytes: 30, cpuPressure: 0.5 } }, {}));
    history.record(round(60, { a: { cpuMillicores: 2000 } }, { "ns/vm": { dirtyRate: 7, vcpuDelay: 0.25 } }));
    const usage = history.summaries(T0 + 60 * S, MEAN_600);
    expect(usage.windowSeconds).toBe(600);
    expect(usage.nodes).toEqual(
      new Map([
        [
          "a",
          {
            cpu: { mean: 2000, p95: 3000, max: 3000 },
            memory: { mean: 20, p95: 30, max: 30 },
            cpuPressure: { mean: 0.5, p95: 0.5, max: 0.5 },
          },
        ],
      ]),
    );
    expect(usage.vms).toEqual(
      new Map([
        [
          "ns/vm",
          {
            cpu: { mean: 100, p95: 100, max: 100 },
            dirtyRate: { mean: 7, p95: 7, max: 7 },
            vcpuDelay: { mean: 0.25, p95: 0.25, max: 0.25 },
          },
        ],
      ]),
    );
  });

  it.each([
    // Rounds at 0..570 s carry 1..20; at now = 570 s all 20 are inside a 600 s window.
    { name: "every round inside the window", now: 570, settings: MEAN_600, mean: 10.5, max: 20 },
    // At now = 600 s the round at 0 s sits on the window's open edge and is out: 2..20.
    { name: "the round on the window's edge left out", now: 600, settings: MEAN_600, mean: 11, max: 20 },
    // A 90 s window at 570 s holds the rounds at 510, 540 and 570 s: 18, 19, 20.
    { name: "a shorter window", now: 570, settings: { ...MEAN_600, windowSeconds: 90 }, mean: 19, max: 20 },
    // EWMA with a 30 s half-life over 18, 19, 20: weights 1/4, 1/2, 1.
    {
      name: "EWMA",
      now: 570,
      settings: { windowSeconds: 90, method: "EWMA" as const, halfLifeSeconds: 30 },
      mean: (18 / 4 + 19 / 2 + 20) / 1.75,
      max: 20,
    },
  ])("summarizes $name", ({ now, settings, mean, max }) => {
    const summary = rampHistory(20, 30)
      .summaries(T0 + now * S, settings)
      .vms.get("ns/vm")?.cpu;
    expect(summary?.mean).toBeCloseTo(mean, 10);
    expect(summary?.max).toBe(max);
  });

  it("keeps rounds in order while its rings grow", () => {
    const history = rampHistory(40, 10);
    expect(history.size.rounds).toBe(40);
    expect(history.summaries(T0 + 390 * S, MEAN_600).vms.get("ns/vm")?.cpu).toEqual({ mean: 20.5, p95: 38, max: 40 });
  });

  it("keeps rounds in order once its ring wraps around", () => {
    // 100 rounds 30 s apart: only the last 20 (81..100) are within 600 s, in a ring that has wrapped several times.
    const history = rampHistory(100, 30);
    expect(history.size.rounds).toBe(20);
    expect(history.summaries(T0 + 99 * 30 * S, MEAN_600).vms.get("ns/vm")?.cpu).toEqual({
      mean: 90.5,
      p95: 99,
      max: 100,
    });
  });

  it("keeps rounds in order when its ring grows after wrapping around", () => {
    const history = new UsageHistory({ retainSeconds: 60 });
    for (let i = 0; i < 11; i++) history.record(round(i * 30, {}, { "ns/vm": { cpuMillicores: i + 1 } }));
    history.summaries(T0 + 300 * S, MEAN_600);
    // The two rounds kept (10, 11) sit mid-ring; 19 more make it grow from 8 slots with its start mid-ring.
    for (let i = 11; i < 30; i++) history.record(round(i * 30, {}, { "ns/vm": { cpuMillicores: i + 1 } }));
    expect(history.size.rounds).toBe(20);
    expect(history.summaries(T0 + 29 * 30 * S, MEAN_600).vms.get("ns/vm")?.cpu).toEqual({
      mean: 20.5,
      p95: 29,
      max: 30,
    });
  });

  it("never shows a value in a round it was not reported in, when slots are reused", () => {
    const history = new UsageHistory();
    for (let i = 0; i < 40; i++) {
      const cpu = i < 10 ? { cpuMillicores: 5000 } : {};
      history.record(round(i * 30, { a: { ...cpu, memoryBytes: 1 } }, { "ns/vm": { ...cpu, memoryBytes: 1 } }));
    }
    // CPU was last reported at 270 s, long out of the window at 1170 s; memory all along.
    const usage = history.summaries(T0 + 39 * 30 * S, MEAN_600);
    expect(usage.nodes.get("a")).toEqual({ memory: { mean: 1, p95: 1, max: 1 } });
    expect(usage.vms.get("ns/vm")).toEqual({ memory: { mean: 1, p95: 1, max: 1 } });
  });

  it("drops rounds older than the longest window asked for", () => {
    const history = new UsageHistory({ retainSeconds: 60 });
    const record = (from: number, to: number): void => {
      for (let at = from; at <= to; at += 30) history.record(round(at, { a: { cpuMillicores: at } }));
    };
    record(0, 270);
    // Within 60 s of 270 s: the rounds at 240 and 270 s.
    expect(history.size.rounds).toBe(2);
    history.summaries(T0 + 270 * S, { ...MEAN_600, windowSeconds: 120 });
    history.summaries(T0 + 270 * S, { ...MEAN_600, windowSeconds: 90 });
    record(300, 570);
    // The longest window asked (120 s) holds the rounds at 480, 510, 540 and 570 s.
    expect(history.size.rounds).toBe(4);
    expect(history.summaries(T0 + 570 * S, { ...MEAN_600, windowSeconds: 120 }).nodes.get("a")?.cpu?.mean).toBe(525);
  });

  it("stops at maxRounds, dropping the oldest first", () => {
    const history = rampHistory(30, 1, new UsageHistory({ maxRounds: 10 }));
    expect(history.size.rounds).toBe(10);
    expect(history.summaries(T0 + 29 * S, MEAN_600).vms.get("ns/vm")?.cpu).toEqual({ mean: 25.5, p95: 30, max: 30 });
  });

  it("forgets nodes and VMs that have not reported for a window", () => {
    const history = new UsageHistory({ retainSeconds: 60 });
    history.record(
      round(0, { gone: { cpuMillicores: 1 }, stays: { cpuMillicores: 1 } }, { "ns/gone": { cpuMillicores: 1 } }),
    );
    history.record(round(30, { stays: { cpuMillicores: 1 } }));
    expect(history.size).toEqual({ nodes: 2, vms: 1, rounds: 2 });
    history.record(round(60, { stays: { cpuMillicores: 1 } }));
    expect(history.size).toEqual({ nodes: 1, vms: 0, rounds: 2 });
    expect([...history.summaries(T0 + 60 * S, MEAN_600).nodes.keys()]).toEqual(["stays"]);
  });

  it("leaves out objects with no point in the window", () => {
    const history = new UsageHistory();
    history.record(round(0, { old: { cpuMillicores: 1 } }));
    history.record(round(300, { fresh: { cpuMillicores: 1 } }));
    const usage = history.summaries(T0 + 300 * S, { ...MEAN_600, windowSeconds: 100 });
    expect([...usage.nodes.keys()]).toEqual(["fresh"]);
  });

  it.each([
    { name: "merges a round at the newest round's time", at: 30, recorded: true, max: 9 },
    { name: "refuses a round older than the newest", at: 10, recorded: false, max: 2 },
    { name: "refuses a round at no time", at: Number.NaN, recorded: false, max: 2 },
  ])("$name", ({ at, recorded, max }) => {
    const history = rampHistory(2, 30);
    expect(history.record(round(at, {}, { "ns/vm": { cpuMillicores: 9 } }))).toBe(recorded);
    expect(history.size.rounds).toBe(2);
    expect(history.summaries(T0 + 30 * S, MEAN_600).vms.get("ns/vm")?.cpu?.max).toBe(max);
  });

  it("keeps values in single precision: a reading comes back as its nearest float32", () => {
    const history = new UsageHistory();
    history.record(round(0, {}, { "ns/vm": { cpuMillicores: 0.1, memoryBytes: 68_719_476_737 } }));
    const vm = history.summaries(T0, MEAN_600).vms.get("ns/vm");
    expect(vm?.cpu?.mean).toBe(Math.fround(0.1));
    expect(vm?.cpu?.mean).not.toBe(0.1);
    expect(vm?.memory?.max).toBe(68_719_476_736);
  });

  it("holds 4 signals × 4 bytes per retained round per VM, in typed arrays", () => {
    const history = new UsageHistory();
    const vms = new Map(Array.from({ length: 1000 }, (_, i) => [`ns/vm-${i}`, { cpuMillicores: i, memoryBytes: i }]));
    // 10 minutes polled every 30 s: 20 rounds retained, in a ring grown to 27 slots (8 → 12 → 18 → 27).
    for (let i = 0; i < 40; i++) history.record({ at: T0 + i * 30 * S, nodes: new Map(), vms });
    expect(history.size.rounds).toBe(20);
    const timestamps = 27 * 8;
    expect((history.retainedBytes() - timestamps) / 1000).toBe(4 * 4 * 27);
  });
});

describe("historySettingsOf", () => {
  it("reads a BalancePolicy's metrics settings", () => {
    const spec = balancePolicySpec.parse({ metrics: { window: "15m", smoothing: { method: "Mean", halfLife: "2m" } } });
    expect(historySettingsOf(spec.metrics)).toEqual({ windowSeconds: 900, method: "Mean", halfLifeSeconds: 120 });
  });
});
