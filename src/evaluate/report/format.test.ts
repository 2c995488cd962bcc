import { describe, expect, it } from "vitest";
import {
  formatBytes,
  formatCount,
  formatDecimal,
  formatFixed,
  formatHour,
  formatMs,
  formatPercent,
  formatPercentTick,
  formatShortCount,
  formatSmall,
} from "./format.ts";

describe("formatting figures", () => {
  it.each([
    [0, "0%"],
    [0.094, "9.40%"],
    [0.1234, "12.3%"],
    [0.006, "0.60%"],
    [0.00042, "0.042%"],
    [Number.NaN, "—"],
  ])("writes the share %s as %s", (share, text) => {
    expect(formatPercent(share)).toBe(text);
  });

  it.each([
    [0, "0 B"],
    [512, "512 B"],
    [1536, "1.50 KiB"],
    [947 * 2 ** 30, "947 GiB"],
    [12.34 * 2 ** 40, "12.3 TiB"],
  ])("writes %s bytes as %s", (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it("writes counts with separators, and means with one decimal", () => {
    expect(formatCount(12345)).toBe("12,345");
    expect(formatCount(7.25)).toBe("7.3");
  });

  it("writes milliseconds, small ratios, hours and axis labels", () => {
    expect([formatMs(0.123), formatMs(23), formatMs(101.4)]).toEqual(["0.12", "23.0", "101"]);
    expect([formatSmall(0), formatSmall(0.25), formatSmall(0.0000327)]).toEqual(["0", "0.2500", "3.27e-5"]);
    expect([formatHour(0), formatHour(1.5), formatHour(24)]).toEqual(["0 h", "1.5 h", "24 h"]);
    expect([formatPercentTick(0.02), formatPercentTick(0.1)]).toEqual(["2%", "10%"]);
    expect([formatShortCount(1), formatShortCount(1000), formatShortCount(25000)]).toEqual(["1", "1k", "25k"]);
    expect(formatFixed(Number.NaN, 2)).toBe("—");
    expect(formatDecimal(19200, 1)).toBe("19,200.0");
  });
});
