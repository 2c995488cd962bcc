/** `kubedrs failover status`: the HA reserve and node health, from a snapshot. */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { kubedrs, scenario } from "./run-cli.ts";

const skewed = scenario("skewed");
const POLICIES = join(import.meta.dirname, "../../policies");

describe("kubedrs failover status", () => {
  it("reports the host failures tolerated against the policy's wish, the storm guard and unhealthy nodes", async () => {
    const run = await kubedrs(
      "failover",
      "status",
      ...skewed.inputs.slice(0, 2),
      "--policies",
      "policies",
      "-o",
      "json",
    );
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as {
      reserve: { tolerated: number; wanted: number; reason: string };
      storm: { hold: boolean };
      unhealthy: { node: string; state: string }[];
    };
    // policies/failover.yaml asks for one host failure; the skewed snapshot's four nodes leave room for it.
    expect(result.reserve.wanted).toBe(1);
    expect(result.reserve.tolerated).toBeGreaterThanOrEqual(1);
    expect(result.reserve.reason).toMatch(/tolerates \d+ host failure/);
    // The snapshot carries no node Leases: every node is suspect (one signal), none failed, so nothing is fenced.
    expect(result.unhealthy.map((node) => node.state)).toEqual(["suspect", "suspect", "suspect", "suspect"]);
    expect(result.storm.hold).toBe(false);
  });

  it("prints a table headed by the reserve", async () => {
    const run = await kubedrs("failover", "status", ...skewed.inputs.slice(0, 2), "--policies", POLICIES);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.split("\n")[0]).toMatch(/^host failures tolerated: \d+ \(wanted 1: met\)/);
  });
});
