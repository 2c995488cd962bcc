/** `kubedrs plan`: the same plan as JSON, as YAML and as a kubectl-style table. */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { Plan } from "../../src/core/balance/plan-types.ts";
import { kubedrs, scenario, scenarioNames } from "./run-cli.ts";

const skewed = scenario("skewed");

async function planJson(...extra: string[]): Promise<Plan> {
  const run = await kubedrs("plan", ...skewed.inputs, "-o", "json", ...extra);
  expect(run).toMatchObject({ code: 0, stderr: "" });
  return JSON.parse(run.stdout) as Plan;
}

/** Splits a table row into cells the way `kubedrs` aligns them: two or more spaces apart. */
function cells(row: string): string[] {
  return row.trim().split(/ {2,}/);
}

describe("kubedrs plan", () => {
  it("prints the plan as JSON: imbalance before and after, and every move with its reasons", async () => {
    const result = await planJson();
    expect(result.kind).toBe("Plan");
    expect(result.imbalanceBefore).toEqual(expect.any(Number));
    expect(result.imbalanceAfter).toBeLessThan(result.imbalanceBefore);
    expect(result.moves.length).toBeGreaterThan(0);
    for (const move of result.moves) {
      expect(move.vm).toMatch(/^[a-z0-9-]+\/[a-z0-9-]+$/);
      expect(move.from).not.toBe(move.to);
      expect(["node-a", "node-b", "node-c", "node-d"]).toContain(move.to);
      expect(move.reasons.length).toBeGreaterThan(0);
      expect(move.reasons.every((reason) => typeof reason === "string" && reason.length > 0)).toBe(true);
    }
  });

  it("prints the same plan as YAML", async () => {
    const asJson = await planJson();
    const run = await kubedrs("plan", ...skewed.inputs, "-o", "yaml");
    expect(run.code).toBe(0);
    expect(parse(run.stdout)).toEqual(asJson);
  });

  it("prints a table: a headline with the imbalance and the move count, then one row per move", async () => {
    const result = await planJson();
    const run = await kubedrs("plan", ...skewed.inputs);
    expect(run.code).toBe(0);
    const rows = run.stdout.split("\n");
    const before = result.imbalanceBefore.toFixed(3);
    const after = result.imbalanceAfter.toFixed(3);
    expect(rows[0]).toContain(`snapshot skewed  imbalance ${before} → ${after}  ${result.moves.length} move(s)`);
    const header = rows.findIndex((row) => row.startsWith("#"));
    expect(cells(rows[header]!)).toEqual(["#", "VM", "FROM", "TO", "WAVE", "GAIN", "COST", "COPY", "WHY"]);
    const moveRows = rows.slice(header + 1, header + 1 + result.moves.length).map(cells);
    expect(moveRows.map((row) => row.slice(0, 4))).toEqual(
      result.moves.map((move, index) => [String(index + 1), move.vm, move.from, move.to]),
    );
    expect(moveRows.map((row) => row.at(-1))).toEqual(result.moves.map((move) => move.reasons[0]));
    expect(rows[header + 1 + result.moves.length]).toBe("");
  });

  it("lists the domains with their outcome in the table", async () => {
    const run = await kubedrs("plan", ...skewed.inputs);
    const rows = run.stdout.split("\n");
    const header = rows.findIndex((row) => row.startsWith("POLICY"));
    expect(cells(rows[header]!)).toEqual(["POLICY", "AUTOMATION", "LEVEL", "NODES", "IMBALANCE", "GOAL", "OUTCOME"]);
    expect(cells(rows[header + 1]!).slice(0, 4)).toEqual(["general", "Recommend", "3", "4"]);
  });

  it("lists what holds the VMs it could not move", async () => {
    const unmovable = scenario("unmovable");
    const run = await kubedrs("plan", ...unmovable.inputs);
    expect(run.code).toBe(0);
    const rows = run.stdout.split("\n");
    const header = rows.findIndex((row) => row.startsWith("HELD BY"));
    expect(cells(rows[header]!)).toEqual(["HELD BY", "VMS", "EXAMPLE"]);
    const held = rows
      .slice(header + 1)
      .filter((row) => row !== "")
      .map((row) => cells(row)[0]);
    expect(held.sort()).toEqual(["Excluded", "LiveMigratable", "MigrationInFlight"]);
  });

  it("plans with the default BalancePolicy when no policy directory is given", async () => {
    const run = await kubedrs("plan", "--snapshot", skewed.snapshot, "-o", "json");
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as Plan).domains.map((domain) => domain.policy)).toEqual(["default"]);
  });

  it("finds the golden scenarios", () => {
    expect(scenarioNames()).toContain("skewed");
  });

  it.each(scenarioNames())("prints exactly the golden plan of %s with -o json", async (name) => {
    const golden = await readFile(join(import.meta.dirname, `../golden/__golden__/${name}.plan.json`), "utf8");
    const run = await kubedrs("plan", ...scenario(name).inputs, "-o", "json");
    expect(run.stdout).toBe(golden);
  });

  it("honours --max-moves and gives the same plan for the same --seed", async () => {
    expect((await planJson("--max-moves", "1")).moves).toHaveLength(1);
    expect(await planJson("--seed", "7")).toEqual(await planJson("--seed", "7"));
  });
});
