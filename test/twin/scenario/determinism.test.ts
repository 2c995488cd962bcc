/**
 * Replay: the same scenario and seed, applied to two fresh twins and run through, produce the
 * same event log line for line; another seed produces another.
 */
import { describe, expect, it } from "vitest";
import { applyScenario } from "../../../src/twin/scenario/index.ts";
import { Twin } from "../../../src/twin/twin.ts";
import { firstGroup, firstPool, decoded, scenarioDocument } from "./builders.ts";

const SCENARIO = decoded(
  scenarioDocument((d) => {
    d.spec.duration = "15m";
    firstPool(d).count = 6;
    firstGroup(d).count = 12;
    d.spec.events = [
      { at: "1m", type: "load-spike", group: "web", factor: 2, for: "5m" },
      { at: "2m", type: "partition", fraction: 0.5, for: "3m" },
      { at: "5m", type: "maintenance", node: "node-02", for: "5m" },
      { at: "8m", type: "power-off", node: "node-05" },
    ];
  }),
);

const runs = new Map<number, Promise<string[]>>();

/** The log of a full run with `seed`; `fresh` runs it again rather than reusing an earlier run. */
function logOf(seed: number, fresh = false): Promise<string[]> {
  const earlier = runs.get(seed);
  if (earlier && !fresh) return earlier;
  const run = replay(seed);
  runs.set(seed, run);
  return run;
}

async function replay(seed: number): Promise<string[]> {
  const twin = Twin.create({ seed, start: SCENARIO.document.spec.start });
  try {
    applyScenario(twin, SCENARIO);
    twin.advance(SCENARIO.document.spec.duration * 1000);
    return twin.runtime.log.lines();
  } finally {
    await twin.stop();
  }
}

describe("replaying a scenario", () => {
  it("gives the same event log for the same seed", async () => {
    const [first, second] = [await logOf(42), await logOf(42, true)];
    expect(first.length).toBeGreaterThan(50);
    expect(second).toEqual(first);
  });

  it("gives another event log for another seed", async () => {
    expect(await logOf(43)).not.toEqual(await logOf(42));
  });
});
