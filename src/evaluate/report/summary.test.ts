import { describe, expect, it } from "vitest";
import {
  KUBEDRS_COLOUR,
  binCounts,
  lowest,
  meanSeries,
  migrationBins,
  shownStrategies,
  strategyColours,
  sumSeries,
  summarizeStrategy,
} from "./summary.ts";
import { buildDayResult, buildReport } from "./test-builders.ts";

describe("summarizing a strategy over days", () => {
  const decisions = (n: number, meanMs: number, p95Ms: number) => ({ decisions: n, meanMs, p95Ms, maxMs: p95Ms });
  const days = [
    buildDayResult("kubedrs", "d1", {
      metrics: {
        overload: { above80: 0.1, above90: 0.04 },
        migrations: { total: 10, perVmPerDay: { max: 3, p99: 1 }, bytes: 100, failedOrAborted: 1 },
      },
      result: { decisionTime: decisions(100, 10, 30) },
    }),
    buildDayResult("kubedrs", "d2", {
      metrics: {
        overload: { above80: 0.2, above90: 0.06 },
        migrations: { total: 20, perVmPerDay: { max: 5, p99: 2 }, bytes: 300, failedOrAborted: 0 },
      },
      result: { decisionTime: decisions(300, 20, 50) },
    }),
  ];
  const summary = summarizeStrategy("kubedrs", days);

  it("takes the mean over days", () => {
    expect(summary.above80).toBeCloseTo(0.15, 12);
    expect(summary.above90).toBeCloseTo(0.05, 12);
    expect(summary.migrations).toBe(15);
    expect(summary.perVmP99).toBe(1.5);
    expect(summary.bytes).toBe(200);
    expect(summary.failedOrAborted).toBe(0.5);
    expect(summary.decisionP95Ms).toBe(40);
  });

  it("keeps the total, the highest per-VM count of any day, and the mean over every decision", () => {
    expect(summary.migrationsTotal).toBe(30);
    expect(summary.perVmMax).toBe(5);
    expect(summary.decisionMeanMs).toBeCloseTo((100 * 10 + 300 * 20) / 400, 12);
  });

  it("has no decision time for a strategy that never decides", () => {
    const none = summarizeStrategy("none", [buildDayResult("none", "d1")]);
    expect(none.decisionMeanMs).toBeNaN();
    expect(none.decisionP95Ms).toBeNaN();
  });
});

describe("the strategies shown and their colours", () => {
  it("keeps the report's order, drops strategies without results and appends unlisted ones", () => {
    const report = buildReport([buildDayResult("b", "d"), buildDayResult("z", "d"), buildDayResult("a", "d")], {
      strategies: ["none", "b", "a"],
    });
    expect(shownStrategies(report)).toEqual(["b", "a", "z"]);
  });

  it("gives kubedrs vermilion, none grey, and each baseline its own colour", () => {
    const colours = strategyColours(["none", "x", "y", "kubedrs"]);
    expect(colours.get("kubedrs")).toBe(KUBEDRS_COLOUR);
    expect(new Set(colours.values()).size).toBe(4);
  });
});

describe("series and counts over days", () => {
  it("averages step by step, over the days long enough", () => {
    expect(
      meanSeries([
        [1, 2, 3],
        [3, 4],
      ]),
    ).toEqual([2, 3, 3]);
    expect(meanSeries([])).toEqual([]);
  });

  it("sums VM counts step by step", () => {
    expect(
      sumSeries([
        [10, 2],
        [8, 3, 1],
      ]),
    ).toEqual([18, 5, 1]);
  });

  it("bins migrations per VM per day as 0, 1, 2, 3 then doubling ranges up to the highest count", () => {
    expect(migrationBins(0).map((bin) => bin.label)).toEqual(["0"]);
    expect(migrationBins(9).map((bin) => bin.label)).toEqual(["0", "1", "2", "3", "4–7", "8–15"]);
    expect(binCounts([100, 10, 5, 2, 1, 1, 0, 1, 0, 1], migrationBins(9))).toEqual([100, 10, 5, 2, 3, 1]);
  });

  it("finds the lowest finite value, ties to the first", () => {
    const items = [{ v: 2 }, { v: Number.NaN }, { v: 1, first: true }, { v: 1 }];
    expect(lowest(items, (item) => item.v)).toBe(items[2]);
    expect(lowest([{ v: Number.NaN }], (item) => item.v)).toBeUndefined();
  });
});
