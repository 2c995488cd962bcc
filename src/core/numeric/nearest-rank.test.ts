import { describe, expect, it } from "vitest";
import { nearestRank, nearestRankOfSorted } from "./nearest-rank.ts";

describe("nearestRank", () => {
  it.each([
    { values: [3, 1, 2], q: 0.5, expected: 2 },
    { values: [3, 1, 2], q: 0, expected: 1 },
    { values: [3, 1, 2], q: 1, expected: 3 },
    { values: [10, 20, 30, 40], q: 0.95, expected: 40 },
    { values: [10, 20, 30, 40], q: 0.25, expected: 10 },
    { values: [10, 20, 30, 40], q: 0.26, expected: 20 },
    { values: [-5, 100, 7], q: 0.5, expected: 7 },
  ])("the $q-quantile of $values is $expected", ({ values, q, expected }) => {
    expect(nearestRank(values, q)).toBe(expected);
  });

  it("is NaN for no values, and leaves its input unsorted", () => {
    expect(nearestRank([], 0.5)).toBeNaN();
    expect(nearestRankOfSorted(new Float64Array(0), 0.5)).toBeNaN();
    const values = [3, 1, 2];
    nearestRank(values, 0.5);
    expect(values).toEqual([3, 1, 2]);
  });
});
