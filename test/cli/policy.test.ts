/** `kubedrs policy validate|diff`: the pull-request checks for a policy directory. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ReportedError, kubedrs, lines, reportedErrors, scenario, scratch } from "./run-cli.ts";

// One file per kind of mistake. `lines` joins its arguments, so the Nth argument is line N.
const BAD_POLICIES = {
  "balance.yaml": lines(
    "apiVersion: kubedrs.io/v1alpha1",
    "kind: BalancePolicy",
    "metadata:",
    "  name: general",
    "spec:",
    "  automation: Sometimes", // line 6: not one of Off, Recommend, Automatic
    "  aggressiveness: 7", // line 7: above 5
    "  limits:",
    "    maxMoves: 3", // line 9: no such field (it is maxMovesPerPass)
  ),
  "failover.yaml": lines(
    "apiVersion: kubedrs.io/v1alpha1",
    "kind: FailoverPolicy",
    "metadata:",
    "  name: ha",
    "spec:",
    "  fencing:",
    "    strategies:",
    "      - type: None", // line 8: without acknowledgeUnsafeNoFencing
  ),
  "rules.yaml": lines(
    "apiVersion: kubedrs.io/v1alpha1",
    "kind: PlacementRule",
    "metadata:",
    "  name: web-spread",
    "spec:",
    "  type: VmAntiAffinity",
    "  enforcement: Required",
    "  vms: { selector: { matchLabels: { app: web } } }",
    "---",
    "apiVersion: kubedrs.io/v1alpha1",
    "kind: PlacementRule",
    "metadata:",
    "  name: web-spread", // line 13: the same name again
    "spec:",
    "  type: VmAntiAffinity",
    "  enforcement: Preferred",
    "  vms: { selector: { matchLabels: { app: web } } }",
  ),
  "syntax.yaml": lines(
    "apiVersion: kubedrs.io/v1alpha1",
    "kind: BalancePolicy",
    "metadata:",
    "  name: broken",
    "spec:",
    "  aggressiveness: 2: 3", // line 6: not YAML
  ),
};

describe("kubedrs policy validate", () => {
  it("accepts a valid directory with exit 0 and counts its documents", async () => {
    const run = await kubedrs("policy", "validate", scenario("rule-fix").policies);
    expect(run).toMatchObject({ code: 0, stderr: "" });
    expect(run.stdout).toMatch(/: 4 valid policy document\(s\) in 2 file\(s\)\n$/);
  });

  describe("on a directory with mistakes", () => {
    let dir: Awaited<ReturnType<typeof scratch>>;
    let run: Awaited<ReturnType<typeof kubedrs>>;
    let errors: ReportedError[];

    beforeAll(async () => {
      dir = await scratch(BAD_POLICIES);
      run = await kubedrs("policy", "validate", dir.dir);
      errors = reportedErrors(run.stderr);
    });

    afterAll(async () => {
      await dir.remove();
    });

    it("exits 1, prints nothing on stdout, and lists every error with file, line, column and field path", () => {
      expect(run.code).toBe(1);
      expect(run.stdout).toBe("");
      expect(run.stderr).toMatch(/^error: 6 error\(s\) in /);
      expect(errors).toHaveLength(6);
      expect(errors.every((error) => error.column > 0)).toBe(true);
    });

    it.each([
      [
        "an out-of-range aggressiveness",
        { file: "balance.yaml", line: 7, path: "spec.aggressiveness", type: "Invalid" },
      ],
      ["an unknown field", { file: "balance.yaml", line: 9, path: "spec.limits.maxMoves", type: "Forbidden" }],
      [
        "fencing None without the acknowledgement",
        { file: "failover.yaml", line: 8, path: "spec.fencing.strategies[0].type", type: "Forbidden" },
      ],
      ["a duplicate name", { file: "rules.yaml", line: 13, path: "metadata.name", type: "Duplicate" }],
      ["a YAML syntax error", { file: "syntax.yaml", line: 6, path: "<document>", type: "Invalid" }],
    ])("reports %s", (_case, expected) => {
      expect(errors).toContainEqual(expect.objectContaining(expected));
    });

    it("reports a value outside an enum at its field and line", () => {
      // The type is not asserted: the policy decoder currently reports it as Required (see the report).
      expect(errors).toContainEqual(
        expect.objectContaining({ file: "balance.yaml", line: 6, path: "spec.automation" }),
      );
    });

    it("orders the errors by file, then line", () => {
      const order = errors.map((error) => `${error.file}:${String(error.line).padStart(4, "0")}`);
      expect(order).toEqual([...order].sort());
    });
  });

  it("exits 1 with a clear message for a directory that does not exist", async () => {
    const dir = await scratch({});
    try {
      const run = await kubedrs("policy", "validate", dir.path("missing"));
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^error: cannot read .*missing: .*no such file or directory/);
    } finally {
      await dir.remove();
    }
  });
});

describe("kubedrs policy diff", () => {
  const skewed = scenario("skewed");
  const aggressiveness = (level: number): Record<string, string> => ({
    "balance.yaml": lines(
      "apiVersion: kubedrs.io/v1alpha1",
      "kind: BalancePolicy",
      "metadata:",
      "  name: general",
      "spec:",
      `  aggressiveness: ${level}`,
    ),
  });

  function changes(stdout: string): { added: string[]; removed: string[] } {
    const rows = stdout.split("\n");
    return {
      added: rows.filter((row) => row.startsWith("+ added  ")).map((row) => row.slice("+ added  ".length)),
      removed: rows.filter((row) => row.startsWith("- dropped  ")).map((row) => row.slice("- dropped  ".length)),
    };
  }

  async function diff(level: number, ...extra: string[]): Promise<Awaited<ReturnType<typeof kubedrs>>> {
    const proposed = await scratch(aggressiveness(level));
    try {
      return await kubedrs("policy", "diff", skewed.policies, proposed.dir, "--snapshot", skewed.snapshot, ...extra);
    } finally {
      await proposed.remove();
    }
  }

  it("lists the moves a more aggressive policy adds", async () => {
    const run = await diff(5);
    expect(run).toMatchObject({ code: 0, stderr: "" });
    expect(run.stdout).toMatch(/^old: plan-\S+ {2}snapshot skewed {2}imbalance /);
    expect(run.stdout).toMatch(/\nnew: plan-\S+ {2}snapshot skewed {2}imbalance /);
    const { added, removed } = changes(run.stdout);
    expect(added.length).toBeGreaterThan(0);
    expect(removed).toEqual([]);
    for (const move of added) expect(move).toMatch(/^[a-z-]+\/[a-z0-9-]+ node-[a-d] → node-[a-d]$/);
  });

  it("lists the moves a more conservative policy drops", async () => {
    const { added, removed } = changes((await diff(2)).stdout);
    expect(added).toEqual([]);
    expect(removed.length).toBeGreaterThan(0);
  });

  it("prints both plans' moves as JSON, the table's changes being their difference", async () => {
    const json = JSON.parse((await diff(5, "-o", "json")).stdout) as Record<"old" | "new", { moves: string[] }>;
    const { added } = changes((await diff(5)).stdout);
    expect(json.new.moves).toEqual(expect.arrayContaining(json.old.moves));
    expect(json.new.moves.filter((move) => !json.old.moves.includes(move))).toEqual(added);
  });

  it("says so when both directories plan the same moves", async () => {
    const run = await kubedrs("policy", "diff", skewed.policies, skewed.policies, "--snapshot", skewed.snapshot);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/the two policy sets plan the same moves\n$/);
  });
});
