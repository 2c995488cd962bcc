import { describe, expect, it } from "vitest";
import { escapeMarkdown, renderEvaluationTable } from "./markdown.ts";
import { buildDayResult, buildReport } from "./test-builders.ts";

const GiB = 2 ** 30;

function report() {
  const day = (strategy: string, d: string, above90: number, total: number) =>
    buildDayResult(strategy, d, {
      metrics: {
        overload: { above80: above90 * 2, above90 },
        meanImbalance: 0.1,
        migrations: { total, perVmPerDay: { max: total > 0 ? 4 : 0, p99: 1 }, bytes: total * GiB, failedOrAborted: 0 },
        slatah: 0.004,
        pdm: 0.0002,
        slav: 0.0000008,
        activeHostHours: 48,
      },
      result: { decisionTime: { decisions: total > 0 ? 10 : 0, meanMs: 12, p95Ms: 20, maxMs: 30 } },
    });
  return buildReport(
    [
      day("none", "d1", 0.05, 0),
      day("none", "d2", 0.03, 0),
      day("kubedrs", "d1", 0.01, 12),
      day("kubedrs", "d2", 0.02, 8),
    ],
    {
      goals: [
        { goal: "Less overload than the best baseline", met: true, detail: "1.5% vs 4%" },
        { goal: "Decisions under 10 ms | p95", met: false, detail: "" },
      ],
    },
  );
}

function cells(markdown: string, strategy: string): string[] {
  const line = markdown.split("\n").find((row) => row.startsWith(`| ${strategy} |`)) ?? "";
  return line.split(" | ").map((cell) => cell.replace(/^\| | \|$/g, ""));
}

describe("the evaluation table in Markdown", () => {
  const markdown = renderEvaluationTable(report());
  const header = cells(markdown, "Strategy");
  const column = (name: string) => header.indexOf(name);

  it("has a header, an alignment row and one row per strategy in the report's order", () => {
    const lines = markdown.split("\n");
    expect(lines[0]).toMatch(/^\| Strategy \| \\>80% \| \\>90% \| Imbalance \| Migrations \|/);
    expect(lines[1]).toMatch(/^\| :--- \| ---: \|/);
    expect(lines[2]).toMatch(/^\| none \|/);
    expect(lines[3]).toMatch(/^\| kubedrs \|/);
    expect(header).toHaveLength(16);
  });

  it("writes the mean over days in each cell", () => {
    const kubedrs = cells(markdown, "kubedrs");
    expect(kubedrs[column("\\>90%")]).toBe("1.50%");
    expect(kubedrs[column("\\>80%")]).toBe("3.00%");
    expect(kubedrs[column("Imbalance")]).toBe("0.100");
    expect(kubedrs[column("Migrations")]).toBe("10");
    expect(kubedrs[column("Max/VM/day")]).toBe("4");
    expect(kubedrs[column("Bytes moved")]).toBe("10.0 GiB");
    expect(kubedrs[column("Decision p95")]).toBe("20.0");
    expect(kubedrs[column("SLATAH")]).toBe("0.40%");
    expect(kubedrs[column("SLAV")]).toBe("8.00e-7");
    expect(kubedrs[column("Active host-hours")]).toBe("48.0");
  });

  it("writes a dash for the decision time of a strategy that never decides", () => {
    expect(cells(markdown, "none")[column("Decision mean")]).toBe("—");
  });

  it("lists the goals, each plainly met or not met, with table-breaking characters escaped", () => {
    expect(markdown).toContain("1 of 2 goals met.");
    expect(markdown).toContain("- **Met**: Less overload than the best baseline (1.5% vs 4%)");
    expect(markdown).toContain("- **Not met**: Decisions under 10 ms \\| p95\n");
  });

  it("escapes Markdown and HTML in report text and keeps it on one line", () => {
    expect(escapeMarkdown("a|b <i>*x*</i>\nnext")).toBe("a\\|b \\<i\\>\\*x\\*\\</i\\> next");
  });
});
