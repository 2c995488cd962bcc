/** Election timings: client-go's defaults, and a clear error for timings that would let two leaders overlap. */
import { describe, expect, it } from "vitest";
import { electionTiming, requireNames } from "./election-settings.ts";

describe("electionTiming", () => {
  it("defaults to client-go's 15 s lease, 10 s renew deadline and 2 s retry period", () => {
    expect(electionTiming({})).toEqual({ leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 });
  });

  it("takes fractions of a second", () => {
    const timing = electionTiming({ leaseDurationSeconds: 2, renewDeadlineSeconds: 1.5, retryPeriodSeconds: 0.25 });
    expect(timing).toEqual({ leaseDurationMs: 2_000, renewDeadlineMs: 1_500, retryPeriodMs: 250 });
  });

  it.each([
    {
      name: "a renew deadline as long as the lease",
      options: { leaseDurationSeconds: 10 },
      field: "renewDeadlineSeconds (10)",
    },
    {
      name: "a retry period as long as the renew deadline",
      options: { retryPeriodSeconds: 10 },
      field: "retryPeriodSeconds (10)",
    },
    { name: "a zero lease", options: { leaseDurationSeconds: 0 }, field: "leaseDurationSeconds must be a positive" },
    {
      name: "a negative retry period",
      options: { retryPeriodSeconds: -1 },
      field: "retryPeriodSeconds must be a positive",
    },
    {
      name: "a NaN deadline",
      options: { renewDeadlineSeconds: Number.NaN },
      field: "renewDeadlineSeconds must be a positive",
    },
  ])("refuses $name, naming the field", ({ options, field }) => {
    expect(() => electionTiming(options)).toThrow(field);
  });
});

describe("requireNames", () => {
  it("names every empty field", () => {
    expect(() => requireNames({ namespace: "kubedrs", name: " ", identity: "" })).toThrow(
      "name, identity must not be empty",
    );
  });

  it("accepts names that are set", () => {
    expect(() => requireNames({ namespace: "kubedrs", name: "kubedrs-leader", identity: "pod-1" })).not.toThrow();
  });
});
