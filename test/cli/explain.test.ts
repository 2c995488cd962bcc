/** `kubedrs explain NAMESPACE/VM`: every node's verdict for one VM, as a table and as JSON. */
import { describe, expect, it } from "vitest";
import type { VmExplanation } from "../../src/core/balance/explain.ts";
import { kubedrs, scenario } from "./run-cli.ts";

// In the anti-affinity scenario data/db-1 may only move within zone-a: node-a2 fits, the other
// zones already hold a database, and node-b1 and node-c1 also run one on the host itself.
const antiAffinity = scenario("anti-affinity");
const NODES = ["node-a1", "node-a2", "node-b1", "node-b2", "node-c1", "node-c2"];

function explainDb1(...extra: string[]): ReturnType<typeof kubedrs> {
  return kubedrs("explain", "data/db-1", ...antiAffinity.inputs, ...extra);
}

function nodeRows(stdout: string): Map<string, string[]> {
  const rows = stdout.split("\n");
  const header = rows.findIndex((row) => row.startsWith("NODE"));
  const body = rows.slice(header + 1).filter((row) => row !== "");
  return new Map(body.map((row) => row.trim().split(/ {2,}/)).map((cells) => [cells[0]!, cells]));
}

describe("kubedrs explain", () => {
  it("gives every node a row saying whether it fits", async () => {
    const run = await explainDb1();
    expect(run).toMatchObject({ code: 0, stderr: "" });
    expect(run.stdout).toMatch(/^VM data\/db-1 on node-a1 \(BalancePolicy general\)\n/);
    const rows = nodeRows(run.stdout);
    expect([...rows.keys()].sort()).toEqual(NODES);
    expect(Object.fromEntries([...rows].map(([node, cells]) => [node, cells[1]]))).toEqual({
      "node-a1": "no",
      "node-a2": "yes",
      "node-b1": "no",
      "node-b2": "no",
      "node-c1": "no",
      "node-c2": "no",
    });
  });

  it("names the rule that rejects a node, and the score terms of a node that fits", async () => {
    const rows = nodeRows((await explainDb1()).stdout);
    expect(rows.get("node-b2")!.at(-1)).toMatch(/^PlacementRules: rule db-one-per-zone /);
    expect(rows.get("node-c1")!.at(-1)).toMatch(/^InterVmAffinity: .*PlacementRules: /);
    expect(rows.get("node-a1")!.at(-1)).toMatch(/^Source: /);
    expect(rows.get("node-a2")!.at(-1)).toMatch(/BalanceGain \d+×\d+/);
  });

  it("prints the explanation as JSON: the VM, its node, and a verdict per node", async () => {
    const run = await explainDb1("-o", "json");
    expect(run.code).toBe(0);
    const explanation = JSON.parse(run.stdout) as VmExplanation;
    expect(explanation).toMatchObject({ vm: "data/db-1", node: "node-a1", policy: "general", movable: true });
    expect(explanation.nodes.map((verdict) => verdict.node).sort()).toEqual(NODES);
    const verdict = (node: string) => explanation.nodes.find((entry) => entry.node === node)!;
    expect(verdict("node-a2")).toMatchObject({ fits: true, rejections: [] });
    expect(verdict("node-a2").score!.terms.map((term) => term.plugin)).toContain("BalanceGain");
    expect(verdict("node-b2").fits).toBe(false);
    expect(verdict("node-b2").score).toBeUndefined();
    expect(verdict("node-b2").rejections).toEqual([{ plugin: "PlacementRules", reason: expect.any(String) }]);
    expect(verdict("node-b1").rejections.map((rejection) => rejection.plugin)).toEqual(
      expect.arrayContaining(["InterVmAffinity", "PlacementRules"]),
    );
  });

  it("says why a VM cannot move at all", async () => {
    const unmovable = scenario("unmovable");
    const run = await kubedrs("explain", "ml/trainer", "--snapshot", unmovable.snapshot, "-o", "json");
    const explanation = JSON.parse(run.stdout) as VmExplanation;
    expect(explanation.movable).toBe(false);
    expect(explanation.blockers.map((blocker) => blocker.plugin)).toEqual(["LiveMigratable"]);
  });

  it.each([
    ["an unknown VM", "data/db-9"],
    ["a name without a namespace", "db-1"],
  ])("exits 1 with a clear message for %s", async (_case, vm) => {
    const run = await kubedrs("explain", vm, "--snapshot", antiAffinity.snapshot);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe(`error: no VM ${vm} in the snapshot (expected namespace/name)\n`);
  });
});
