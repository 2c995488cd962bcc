/**
 * The evaluation as GitHub-flavoured Markdown, for docs/EVALUATION.md: the summary table (one row
 * per strategy, the mean over the days) and the goals, each stated as met or not met.
 */
import type { ReplayReport } from "../report-types.ts";
import { summarize } from "./summary.ts";
import { SUMMARY_COLUMNS, summaryNote } from "./table.ts";

/** Text safe inside a Markdown table cell or list item: no markup, no cell breaks, one line. */
export function escapeMarkdown(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, " ").replace(/[\\`*_[\]<>|~#&]/g, (char) => `\\${char}`);
}

function row(cells: readonly string[]): string {
  return `| ${cells.join(" | ")} |`;
}

function summaryTable(report: ReplayReport): string[] {
  const header = row(["Strategy", ...SUMMARY_COLUMNS.map((column) => escapeMarkdown(column.header))]);
  const rule = row([":---", ...SUMMARY_COLUMNS.map(() => "---:")]);
  const rows = summarize(report).map((summary) =>
    row([escapeMarkdown(summary.strategy), ...SUMMARY_COLUMNS.map((column) => escapeMarkdown(column.cell(summary)))]),
  );
  return [header, rule, ...rows];
}

function goalLines(report: ReplayReport): string[] {
  if (report.goals.length === 0) return ["No goals were set for this run."];
  const met = report.goals.filter((goal) => goal.met).length;
  return [
    `${met} of ${report.goals.length} goals met.`,
    "",
    ...report.goals.map(
      (goal) =>
        `- **${goal.met ? "Met" : "Not met"}**: ${escapeMarkdown(goal.goal)}${goal.detail ? ` (${escapeMarkdown(goal.detail)})` : ""}`,
    ),
  ];
}

export function renderEvaluationTable(report: ReplayReport): string {
  return [
    ...summaryTable(report),
    "",
    escapeMarkdown(summaryNote(report.days)),
    "",
    "**Goals**",
    "",
    ...goalLines(report),
    "",
  ].join("\n");
}
