/** The demo's number and time formats, including what they print for values that are not numbers. */
import { describe, expect, it } from "vitest";
import { bytes, decimal3, duration, percent, times, wallClock } from "./demo-view-format.ts";

describe("demo view formats", () => {
  it.each([
    ["bytes in GiB", bytes(41.3 * 2 ** 30), "41.3 GiB"],
    ["bytes under a KiB", bytes(512), "512 B"],
    ["bytes, none", bytes(0), "0 B"],
    ["bytes, not a number", bytes(Number.NaN), "—"],
    ["imbalance", decimal3(0.2137), "0.214"],
    ["no imbalance", decimal3(null), "—"],
    ["percent", percent(0.934), "93%"],
    ["percent over full", percent(1.37), "137%"],
    ["percent, not a number", percent(Number.NaN), "?"],
    ["duration", duration(750), "12m30s"],
    ["zero duration", duration(0), "0s"],
    ["duration, not a number", duration(Infinity), "—"],
    ["speed-up", times(58.5), "59×"],
    ["small speed-up", times(1.25), "1.3×"],
    ["timestamp", wallClock("2026-11-22T08:05:00.000Z"), "2026-11-22 08:05:00 UTC"],
    ["timestamp without the date", wallClock("2026-11-22T08:05:00Z", false), "08:05:00 UTC"],
    ["timestamp with an offset", wallClock("2026-11-22T08:05:00+01:00"), "2026-11-22 08:05:00 +01:00"],
    ["not a timestamp", wallClock("soon"), "soon"],
  ])("%s", (_, formatted, expected) => {
    expect(formatted).toBe(expected);
  });
});
