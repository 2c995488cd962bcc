import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { summarize, summarizeColumns, type SummarySettings, type UsagePoint } from "./summarize.ts";

const NOW = Date.UTC(2026, 2, 2, 12);
const S = 1000;

/** Points `secondsAgo` before NOW with the given values. */
function series(...pairs: [secondsAgo: number, value: number][]): UsagePoint[] {
  return pairs.map(([ago, value]) => ({ at: NOW - ago * S, value }));
}

function settings(overrides: Partial<SummarySettings> = {}): SummarySettings {
  return { now: NOW, windowSeconds: 600, method: "Mean", halfLifeSeconds: 300, ...overrides };
}

describe("summarize", () => {
  it.each([
    { name: "a single point", points: series([0, 7]), expected: { mean: 7, p95: 7, max: 7 } },
    {
      name: "the mean of the points",
      points: series([30, 1], [20, 2], [10, 6]),
      expected: { mean: 3, p95: 6, max: 6 },
    },
    {
      name: "p95 by nearest rank: rank ceil(0.95 * 20) = 19 of 20",
      points: Array.from({ length: 20 }, (_, i) => ({ at: NOW - i * S, value: i + 1 })),
      expected: { mean: 10.5, p95: 19, max: 20 },
    },
    {
      name: "p95 by nearest rank: rank ceil(0.95 * 10) = 10 of 10",
      points: Array.from({ length: 10 }, (_, i) => ({ at: NOW - i * S, value: i + 1 })),
      expected: { mean: 5.5, p95: 10, max: 10 },
    },
    {
      name: "p95 by nearest rank: rank ceil(0.95 * 13) = 13 of 13, not 12",
      points: Array.from({ length: 13 }, (_, i) => ({ at: NOW - i * S, value: (i + 1) * 10 })),
      expected: { mean: 70, p95: 130, max: 130 },
    },
    { name: "unsorted points", points: series([10, 5], [50, 1], [30, 3]), expected: { mean: 3, p95: 5, max: 5 } },
    {
      name: "only points inside (now - window, now]",
      points: series([600, 100], [599, 2], [0, 4], [-1, 50]),
      expected: { mean: 3, p95: 4, max: 4 },
    },
    {
      name: "points whose value or time is not a number left out",
      points: [...series([10, 2], [5, Number.NaN], [4, Number.POSITIVE_INFINITY]), { at: Number.NaN, value: 9 }],
      expected: { mean: 2, p95: 2, max: 2 },
    },
  ])("Mean: $name", ({ points, expected }) => {
    expect(summarize(points, settings())).toEqual(expected);
  });

  it.each([
    { name: "no points", points: [] },
    { name: "only points older than the window", points: series([601, 1], [900, 2]) },
    { name: "only points after now", points: series([-5, 1]) },
    { name: "only unreadable points", points: series([5, Number.NaN]) },
  ])("is undefined with $name", ({ points }) => {
    expect(summarize(points, settings())).toBeUndefined();
    expect(summarize(points, settings({ method: "EWMA" }))).toBeUndefined();
  });

  it.each([
    // Weights 1 (newest) and 1/2 (one half-life older): (1*10 + 0.5*4) / 1.5 = 8.
    { name: "one half-life apart", points: series([0, 10], [300, 4]), halfLife: 300, mean: 8 },
    // Weights 1, 1/2, 1/4: (10 + 2 + 1) / 1.75.
    { name: "two half-lives", points: series([0, 10], [60, 4], [120, 4]), halfLife: 60, mean: 13 / 1.75 },
    // Irregular spacing: the weights follow age, not position. 1 and 2^-3 for the sample 90 s older.
    { name: "a gap between samples", points: series([0, 9], [90, 0]), halfLife: 30, mean: 9 / (1 + 1 / 8) },
    // Ages count from the newest point: with a one-second half-life and data 500 s old, no weight underflows.
    { name: "old data and a tiny half-life", points: series([500, 2], [501, 4]), halfLife: 1, mean: 8 / 3 },
    {
      name: "a zero half-life (the newest value)",
      points: series([0, 3], [10, 100], [0.5, 100]),
      halfLife: 0,
      mean: 3,
    },
  ])("EWMA: $name", ({ points, halfLife, mean }) => {
    const summary = summarize(points, settings({ method: "EWMA", halfLifeSeconds: halfLife }));
    expect(summary?.mean).toBeCloseTo(mean, 12);
    expect(summary?.max).toBe(Math.max(...points.map((point) => point.value)));
  });

  it("lets recent load dominate under EWMA while Mean weighs the window evenly", () => {
    const points = series([590, 0], [300, 0], [0, 10]);
    const ewma = summarize(points, settings({ method: "EWMA", halfLifeSeconds: 60 }))!;
    const mean = summarize(points, settings({ method: "Mean" }))!;
    expect(mean.mean).toBeCloseTo(10 / 3, 12);
    expect(ewma.mean).toBeGreaterThan(9.5);
  });

  it("reads columns up to their length and leaves them unchanged", () => {
    const times = new Float64Array([NOW - 2 * S, NOW - S, NOW, 0]);
    const values = new Float64Array([3, 1, 2, 1000]);
    expect(summarizeColumns({ times, values, length: 3 }, settings())).toEqual({ mean: 2, p95: 3, max: 3 });
    expect([...values]).toEqual([3, 1, 2, 1000]);
  });
});

const pointArb = fc.record({
  at: fc.integer({ min: NOW - 1200 * S, max: NOW + 60 * S }),
  value: fc.double({ min: 0, max: 1e12, noNaN: true }),
});
const settingsArb = fc.record({
  now: fc.constant(NOW),
  windowSeconds: fc.integer({ min: 1, max: 3600 }),
  method: fc.constantFrom("EWMA" as const, "Mean" as const),
  halfLifeSeconds: fc.integer({ min: 0, max: 3600 }),
});

describe("summarize properties", () => {
  it("orders min ≤ mean ≤ max and p95 ≤ max, over the window's points only", () => {
    fc.assert(
      fc.property(fc.array(pointArb, { maxLength: 60 }), settingsArb, (points, s) => {
        const inside = points.filter((point) => point.at > s.now - s.windowSeconds * S && point.at <= s.now);
        const summary = summarize(points, s);
        if (inside.length === 0) return summary === undefined;
        const values = inside.map((point) => point.value);
        const min = Math.min(...values);
        return (
          summary !== undefined &&
          summary.max === Math.max(...values) &&
          min <= summary.mean &&
          summary.mean <= summary.max &&
          min <= summary.p95 &&
          summary.p95 <= summary.max &&
          values.includes(summary.p95)
        );
      }),
    );
  });

  it("smooths a constant signal to that constant, however the samples are spaced", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: NOW - 599 * S, max: NOW }), { minLength: 1, maxLength: 40 }),
        fc.double({ min: 0, max: 1e12, noNaN: true }),
        settingsArb,
        (times, value, s) => {
          const summary = summarize(
            times.map((at) => ({ at, value })),
            { ...s, windowSeconds: 600 },
          );
          expect(summary).toEqual({ mean: value, p95: value, max: value });
        },
      ),
    );
  });

  it("ignores points older than the window whatever their values", () => {
    fc.assert(
      fc.property(
        fc.array(pointArb, { maxLength: 30 }),
        fc.array(fc.double({ min: -1e12, max: 1e12, noNaN: true }), { maxLength: 10 }),
        settingsArb,
        (points, oldValues, s) => {
          const old = oldValues.map((value, i) => ({ at: s.now - s.windowSeconds * S - i * S, value }));
          expect(summarize([...old, ...points], s)).toEqual(summarize(points, s));
        },
      ),
    );
  });
});
