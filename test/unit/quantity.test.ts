import { quantityToScalar } from "@kubernetes/client-node/dist/util.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatBytes, parseDuration, parseQuantity, toMillicores } from "../../src/core/model/quantity.ts";

describe("parseQuantity", () => {
  it.each([
    ["250m", 0.25],
    ["4", 4],
    ["1.5Gi", 1.5 * 2 ** 30],
    ["128Mi", 128 * 2 ** 20],
    ["1e3", 1000],
    ["2k", 2000],
    ["10G", 1e10],
    [".5", 0.5],
    ["100n", 1e-7],
  ])("%s is %d", (text, value) => {
    expect(parseQuantity(text)).toBeCloseTo(value, 12);
  });

  it.each(["", "Gi", "1.2.3", "4 Gi", "1Zi", "abc"])("rejects %j", (text) => {
    expect(parseQuantity(text)).toBeUndefined();
  });

  it("agrees with @kubernetes/client-node on generated quantities", () => {
    const suffix = fc.constantFrom("", "m", "k", "M", "G", "T", "Ki", "Mi", "Gi", "Ti");
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), suffix, (amount, unit) => {
        const text = `${amount}${unit}`;
        const theirs = Number(quantityToScalar(text));
        expect(parseQuantity(text)).toBeCloseTo(theirs, 6);
      }),
    );
  });
});

describe("toMillicores", () => {
  it.each([
    [0.25, 250],
    [2, 2000],
    [0.0001, 1],
    [1.0005, 1001],
  ])("%d cores is %d millicores", (cores, millis) => {
    expect(toMillicores(cores)).toBe(millis);
  });
});

describe("parseDuration", () => {
  it.each([
    ["90s", 90],
    ["5m", 300],
    ["1h30m", 5400],
    ["500ms", 0.5],
    ["2d", 172800],
    [45, 45],
    ["45", 45],
  ])("%j is %d seconds", (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  it.each(["", "5 m", "m5", "1x", "-3s", "1h-2m"])("rejects %j", (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe("formatBytes", () => {
  it.each([
    [512, "512"],
    [4 * 2 ** 30, "4Gi"],
    [1.5 * 2 ** 40, "1.5Ti"],
  ])("%d is %s", (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});
