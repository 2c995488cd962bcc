/** The meter and the sparkline: exact widths, fills in eighths, and a scale that shows the trend. */
import { describe, expect, it } from "vitest";
import { meter, sparkline } from "./gauges.ts";

describe("meter", () => {
  it.each([
    ["empty", 0, 4, "░░░░"],
    ["half", 0.5, 4, "██░░"],
    ["full", 1, 4, "████"],
    ["an eighth of a cell", 1 / 32, 4, "▏░░░"],
    ["seven eighths of the first cell", 7 / 32, 4, "▉░░░"],
    ["over full fills the meter", 1.7, 4, "████"],
    ["negative reads as empty", -0.3, 4, "░░░░"],
    ["not a number reads as empty", Number.NaN, 4, "░░░░"],
    ["no room", 0.5, 0, ""],
  ])("%s", (_, fraction, width, drawn) => {
    expect(meter(fraction, width)).toBe(drawn);
  });

  it.each([
    ["in the empty part", 0.25, 0.75, 8, "██░░░░│░"],
    ["in the filled part", 0.75, 0.25, 8, "██│███░░"],
    ["at the far end", 0.5, 1, 4, "██░│"],
  ])("draws the mark %s", (_, fraction, mark, width, drawn) => {
    expect(meter(fraction, width, mark)).toBe(drawn);
  });
});

describe("sparkline", () => {
  it.each([
    ["falling from top to bottom", [8, 7, 6, 5, 4, 3, 2, 1], 20, undefined, "█▇▆▅▄▃▂▁"],
    ["flat", [0.2, 0.2, 0.2], 20, undefined, "▁▁▁"],
    ["only the newest that fit", [1, 2, 3, 4, 5], 3, undefined, "▁▅█"],
    ["scaled down to a floor below it", [0.3, 0.2], 20, 0.1, "█▅"],
    ["a floor above the values does not lift them", [0.3, 0.2], 20, 0.25, "█▁"],
    ["gaps where values are missing", [1, Number.NaN, 2], 20, undefined, "▁ █"],
    ["no room", [1, 2], 0, undefined, ""],
    ["no values", [], 10, undefined, ""],
  ])("%s", (_, values, width, floor, drawn) => {
    expect(sparkline(values, width, floor)).toBe(drawn);
  });
});
