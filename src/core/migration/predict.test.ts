import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_SIMULATED_ROUNDS, SWITCHOVER_RESUME_OVERHEAD_MS } from "./constants.ts";
import { migrationDataUnits, predictMigration, type MigrationParams, type MigrationPrediction } from "./index.ts";

const GiB = 2 ** 30;
const MiB = 2 ** 20;
const TEN_GBE = 1.25e9;
const OVERHEAD_SECONDS = SWITCHOVER_RESUME_OVERHEAD_MS / 1000;

/** A 4 GiB VM on 10 GbE with KubeVirt's defaults and QEMU's 300 ms downtime limit; override what a case needs. */
function vm(overrides: Partial<MigrationParams> = {}): MigrationParams {
  return {
    memoryBytes: 4 * GiB,
    dirtyRateBytesPerSecond: 0,
    bandwidthBytesPerSecond: TEN_GBE,
    maxDowntimeMs: 300,
    allowAutoConverge: false,
    allowPostCopy: false,
    completionTimeoutPerGiB: 150,
    progressTimeoutSeconds: 150,
    ...overrides,
  };
}

/** 4 GiB is 5 started units of 10^9 bytes, so KubeVirt allows 5 × 150 s. */
const COMPLETION_TIMEOUT_4GIB = 750;
const HOT = TEN_GBE * 1.5;

function throttleSteps(prediction: MigrationPrediction): number[] {
  const steps: number[] = [];
  for (const { throttle } of prediction.timeline) {
    if (throttle > 0 && throttle !== steps.at(-1)) steps.push(throttle);
  }
  return steps;
}

function finalPhase(prediction: MigrationPrediction): string | undefined {
  return prediction.timeline.at(-1)?.phase;
}

describe("predictMigration", () => {
  it.each([
    {
      name: "an idle VM copies its memory once and switches over",
      params: vm(),
      expected: { outcome: "converged", succeeded: true, rounds: 1, downtimeMs: SWITCHOVER_RESUME_OVERHEAD_MS },
    },
    {
      name: "a VM dirtying at 30% of the bandwidth converges in a few rounds",
      params: vm({ dirtyRateBytesPerSecond: 0.3 * TEN_GBE }),
      expected: { outcome: "converged", succeeded: true, rounds: 3, autoConverged: false },
    },
    {
      name: "a dirty rate above the bandwidth without options is aborted by the completion timeout",
      params: vm({ dirtyRateBytesPerSecond: HOT }),
      expected: { outcome: "aborted", succeeded: false, durationSeconds: COMPLETION_TIMEOUT_4GIB, downtimeMs: 0 },
    },
    {
      name: "a dirty rate above the bandwidth converges once auto-converge throttles the guest",
      params: vm({ dirtyRateBytesPerSecond: HOT, allowAutoConverge: true }),
      expected: { outcome: "converged", succeeded: true, autoConverged: true, maxThrottle: 0.7 },
    },
    {
      name: "a dirty rate above the bandwidth with post-copy switches to post-copy at the completion timeout",
      params: vm({ dirtyRateBytesPerSecond: HOT, allowPostCopy: true }),
      expected: { outcome: "post-copy", succeeded: true, downtimeMs: SWITCHOVER_RESUME_OVERHEAD_MS },
    },
    {
      name: "allowWorkloadDisruption without post-copy pauses the VM to finish",
      params: vm({ dirtyRateBytesPerSecond: HOT, allowWorkloadDisruption: true }),
      expected: { outcome: "paused", succeeded: true },
    },
    {
      name: "post-copy allowed but workload disruption explicitly refused aborts",
      params: vm({ dirtyRateBytesPerSecond: HOT, allowPostCopy: true, allowWorkloadDisruption: false }),
      expected: { outcome: "aborted", succeeded: false },
    },
    {
      name: "zero bandwidth is aborted once the progress timeout passes",
      params: vm({ bandwidthBytesPerSecond: 0 }),
      expected: { outcome: "aborted", succeeded: false, rounds: 0, durationSeconds: 150, bytesTransferred: 0 },
    },
  ])("$name", ({ params, expected }) => {
    expect(predictMigration(params)).toMatchObject(expected);
  });

  it("an idle VM takes memory / bandwidth plus the resume overhead", () => {
    const prediction = predictMigration(vm());
    expect(prediction.durationSeconds).toBeCloseTo((4 * GiB) / TEN_GBE + OVERHEAD_SECONDS, 9);
    expect(prediction.bytesTransferred).toBe(4 * GiB);
    expect(prediction.reason).toBe("pre-copy converges in 1 round; downtime 50 ms");
  });

  it("a moderate dirty rate keeps the downtime under the limit", () => {
    const prediction = predictMigration(vm({ dirtyRateBytesPerSecond: 0.3 * TEN_GBE }));
    expect(prediction.downtimeMs).toBeLessThanOrEqual(300 + SWITCHOVER_RESUME_OVERHEAD_MS);
    expect(finalPhase(prediction)).toBe("stop-and-copy");
  });

  it("a non-converging pre-copy names the completion timeout, not the progress timeout", () => {
    const prediction = predictMigration(vm({ dirtyRateBytesPerSecond: HOT }));
    expect(prediction.reason).toBe(
      "dirty rate 1.7GiB/s exceeds bandwidth 1.2GiB/s; aborted after the 750 s completion timeout",
    );
  });

  it("auto-converge steps the throttle 0.2, 0.3, … until the dirty rate falls below half the bandwidth", () => {
    const prediction = predictMigration(vm({ dirtyRateBytesPerSecond: HOT, allowAutoConverge: true }));
    expect(throttleSteps(prediction)).toEqual([0.2, 0.3, 0.4, 0.5, 0.6, 0.7]);
    expect(prediction.reason).toMatch(
      /^pre-copy converges in \d+ rounds once auto-converge throttles the guest to 70%/,
    );
  });

  it("auto-converge's 5 s sync timer splits long rounds after the first pass", () => {
    const prediction = predictMigration(
      vm({
        memoryBytes: 16 * GiB,
        dirtyRateBytesPerSecond: 900 * MiB,
        bandwidthBytesPerSecond: 119 * MiB,
        allowAutoConverge: true,
      }),
    );
    const [first, ...later] = prediction.timeline.filter((round) => round.phase === "pre-copy");
    expect(first?.durationSeconds).toBeCloseTo((16 * GiB) / (119 * MiB), 6);
    expect(Math.max(...later.map((round) => round.durationSeconds))).toBeLessThanOrEqual(10);
    expect(prediction).toMatchObject({ outcome: "converged", maxThrottle: 0.99 });
  });

  it("post-copy starts at the completion timeout and sends the rest once", () => {
    const prediction = predictMigration(vm({ dirtyRateBytesPerSecond: HOT, allowPostCopy: true }));
    const last = prediction.timeline.at(-1);
    expect(last).toMatchObject({ phase: "post-copy", startSeconds: COMPLETION_TIMEOUT_4GIB, bytes: 4 * GiB });
    expect(prediction.reason).toMatch(/KubeVirt switches to post-copy/);
  });

  it("allowWorkloadDisruption left unset follows allowPostCopy", () => {
    const prediction = predictMigration(
      vm({ dirtyRateBytesPerSecond: HOT, allowPostCopy: true, allowWorkloadDisruption: undefined }),
    );
    expect(prediction.outcome).toBe("post-copy");
  });

  it("a paused VM is down while the rest is copied", () => {
    const prediction = predictMigration(vm({ dirtyRateBytesPerSecond: HOT, allowWorkloadDisruption: true }));
    expect(prediction.downtimeMs / 1000).toBeCloseTo((4 * GiB) / TEN_GBE + OVERHEAD_SECONDS, 6);
    expect(finalPhase(prediction)).toBe("paused");
  });

  it("a paused VM that cannot finish within twice the completion timeout is aborted", () => {
    // 1 s per unit gives 5 s; the 4 GiB still to copy need 21 s at 200 MB/s, past the doubled 10 s.
    const prediction = predictMigration(
      vm({
        bandwidthBytesPerSecond: 2e8,
        dirtyRateBytesPerSecond: 4e8,
        completionTimeoutPerGiB: 1,
        allowWorkloadDisruption: true,
      }),
    );
    expect(prediction).toMatchObject({ outcome: "aborted", succeeded: false, durationSeconds: 10, downtimeMs: 5000 });
    expect(prediction.reason).toMatch(/did not finish by 10 s/);
  });

  it("zero bandwidth says why", () => {
    expect(predictMigration(vm({ bandwidthBytesPerSecond: 0 })).reason).toBe(
      "migration bandwidth is 0 B/s, so no data moves; aborted after the 150 s progress timeout",
    );
  });

  it("stops at the round cap when nothing else would end the migration", () => {
    const prediction = predictMigration(vm({ dirtyRateBytesPerSecond: HOT, completionTimeoutPerGiB: 0 }));
    expect(prediction).toMatchObject({ outcome: "aborted", rounds: MAX_SIMULATED_ROUNDS });
    expect(prediction.reason).toMatch(/the model's cap/);
  });

  it.each(["memoryBytes", "dirtyRateBytesPerSecond", "bandwidthBytesPerSecond", "maxDowntimeMs"] as const)(
    "rejects a negative or non-finite %s",
    (field) => {
      expect(() => predictMigration(vm({ [field]: -1 }))).toThrow(new RegExp(`MigrationParams.${field}`));
      expect(() => predictMigration(vm({ [field]: Number.NaN }))).toThrow(RangeError);
    },
  );
});

describe("KubeVirt's completion timeout size", () => {
  it.each([
    { memoryBytes: 0, units: 0 },
    { memoryBytes: 1e9, units: 1 },
    { memoryBytes: 1e9 + 1, units: 2 },
    { memoryBytes: GiB, units: 2 },
    { memoryBytes: 4 * GiB, units: 5 },
  ])("$memoryBytes bytes count as $units started 10^9-byte units", ({ memoryBytes, units }) => {
    expect(migrationDataUnits(memoryBytes)).toBe(units);
  });
});

describe("plain pre-copy against the closed form (anchors §3.2)", () => {
  // Round i sends M·ρ^i; QEMU switches over at the first n with M·ρ^n < B·downtime; V = M(1 − ρ^{n+1})/(1 − ρ).
  it.each([
    { memoryBytes: 4 * GiB, rho: 0.3 },
    { memoryBytes: 16 * GiB, rho: 0.5 },
    { memoryBytes: 64 * GiB, rho: 0.8 },
    { memoryBytes: 2 * GiB, rho: 0.95 },
  ])("M = $memoryBytes, ρ = $rho", ({ memoryBytes, rho }) => {
    const bandwidth = TEN_GBE;
    const threshold = bandwidth * 0.3;
    let rounds = 0;
    while (memoryBytes * rho ** rounds >= threshold) rounds += 1;
    const volume = (memoryBytes * (1 - rho ** (rounds + 1))) / (1 - rho);

    const prediction = predictMigration(
      vm({ memoryBytes, dirtyRateBytesPerSecond: rho * bandwidth, completionTimeoutPerGiB: 0 }),
    );

    expect(prediction.rounds).toBe(rounds);
    expect(prediction.bytesTransferred / volume).toBeCloseTo(1, 9);
    expect(prediction.durationSeconds).toBeCloseTo(volume / bandwidth + OVERHEAD_SECONDS, 6);
  });
});

describe("predictMigration properties", () => {
  const anyParams = fc.record({
    memoryBytes: fc.integer({ min: 64, max: 64 * 1024 }).map((mebibytes) => mebibytes * MiB),
    dirtyRateBytesPerSecond: fc.double({ min: 0, max: 3e9, noNaN: true }),
    bandwidthBytesPerSecond: fc.double({ min: 10 * MiB, max: 3e9, noNaN: true }),
    maxDowntimeMs: fc.integer({ min: 1, max: 2000 }),
    allowAutoConverge: fc.boolean(),
    allowPostCopy: fc.boolean(),
    allowWorkloadDisruption: fc.option(fc.boolean(), { nil: undefined }),
    completionTimeoutPerGiB: fc.integer({ min: 0, max: 300 }),
    progressTimeoutSeconds: fc.integer({ min: 0, max: 300 }),
  });

  /** Plain pre-copy: no auto-converge and nothing but aborting at the completion timeout. */
  const plainPreCopy = anyParams.map((params) => ({
    ...params,
    allowAutoConverge: false,
    allowPostCopy: false,
    allowWorkloadDisruption: false,
  }));

  const relativeSlack = 1e-9;

  it("a succeeded migration sends at least the whole memory", () => {
    fc.assert(
      fc.property(anyParams, (params) => {
        const prediction = predictMigration(params);
        if (prediction.succeeded) {
          expect(prediction.bytesTransferred).toBeGreaterThanOrEqual(params.memoryBytes * (1 - relativeSlack));
        }
      }),
    );
  });

  it("a converged pre-copy stays within the downtime limit plus the resume overhead", () => {
    fc.assert(
      fc.property(anyParams, (params) => {
        const prediction = predictMigration(params);
        if (prediction.outcome === "converged") {
          expect(prediction.downtimeMs).toBeLessThanOrEqual(
            params.maxDowntimeMs + SWITCHOVER_RESUME_OVERHEAD_MS + 1e-6,
          );
        }
      }),
    );
  });

  it("the timeline adds up: bytes to bytesTransferred, durations back to back to durationSeconds", () => {
    fc.assert(
      fc.property(anyParams, (params) => {
        const prediction = predictMigration(params);
        const bytes = prediction.timeline.reduce((sum, round) => sum + round.bytes, 0);
        expect(Math.abs(bytes - prediction.bytesTransferred)).toBeLessThanOrEqual(
          prediction.bytesTransferred * relativeSlack,
        );
        let clock = 0;
        for (const round of prediction.timeline) {
          expect(round.startSeconds).toBeCloseTo(clock, 6);
          clock = round.startSeconds + round.durationSeconds;
        }
        if (prediction.timeline.length > 0) expect(clock).toBeCloseTo(prediction.durationSeconds, 6);
      }),
    );
  });

  it("is deterministic", () => {
    fc.assert(
      fc.property(anyParams, (params) => {
        expect(predictMigration(params)).toEqual(predictMigration(params));
      }),
    );
  });

  it("more bandwidth never makes a plain pre-copy slower", () => {
    fc.assert(
      fc.property(plainPreCopy, fc.double({ min: 1, max: 4, noNaN: true }), (params, factor) => {
        const slower = predictMigration(params);
        const faster = predictMigration({
          ...params,
          bandwidthBytesPerSecond: params.bandwidthBytesPerSecond * factor,
        });
        if (slower.outcome !== "converged") return;
        expect(faster.outcome).toBe("converged");
        expect(faster.durationSeconds).toBeLessThanOrEqual(slower.durationSeconds * (1 + relativeSlack));
      }),
    );
  });

  it("a higher dirty rate never makes a plain pre-copy faster", () => {
    fc.assert(
      fc.property(plainPreCopy, fc.double({ min: 1, max: 4, noNaN: true }), (params, factor) => {
        const calmer = predictMigration(params);
        const hotter = predictMigration({
          ...params,
          dirtyRateBytesPerSecond: params.dirtyRateBytesPerSecond * factor,
        });
        if (hotter.outcome !== "converged") return;
        expect(calmer.outcome).toBe("converged");
        expect(hotter.durationSeconds).toBeGreaterThanOrEqual(calmer.durationSeconds * (1 - relativeSlack));
      }),
    );
  });
});
