/**
 * The summary table's columns, defined once for the HTML page and the Markdown table: a short
 * header, what it means, and how a strategy's figure is written.
 */
import {
  formatBytes,
  formatCount,
  formatDecimal,
  formatFixed,
  formatMs,
  formatPercent,
  formatSmall,
} from "./format.ts";
import type { StrategySummary } from "./summary.ts";

export interface SummaryColumn {
  readonly header: string;
  readonly description: string;
  readonly cell: (summary: StrategySummary) => string;
}

export const SUMMARY_COLUMNS: readonly SummaryColumn[] = [
  { header: ">80%", description: "Share of active node-time above 80% CPU", cell: (s) => formatPercent(s.above80) },
  { header: ">90%", description: "Share of active node-time above 90% CPU", cell: (s) => formatPercent(s.above90) },
  {
    header: "Imbalance",
    description: "Time-averaged std of node CPU utilization",
    cell: (s) => formatFixed(s.imbalance, 3),
  },
  { header: "Migrations", description: "Migrations per day", cell: (s) => formatCount(s.migrations) },
  {
    header: "Max/VM/day",
    description: "Most migrations of one VM in one day (highest over the days)",
    cell: (s) => formatCount(s.perVmMax),
  },
  { header: "p99/VM/day", description: "p99 of migrations per VM per day", cell: (s) => formatCount(s.perVmP99) },
  { header: "Bytes moved", description: "Memory copied by migrations per day", cell: (s) => formatBytes(s.bytes) },
  {
    header: "Failed/aborted",
    description: "Migrations that failed or were aborted, per day",
    cell: (s) => formatCount(s.failedOrAborted),
  },
  {
    header: "Ping-pongs",
    description: "Moves back to a node left less than an hour before, per day",
    cell: (s) => formatCount(s.pingPongs),
  },
  { header: "Decision mean", description: "Mean decision time (ms)", cell: (s) => formatMs(s.decisionMeanMs) },
  { header: "Decision p95", description: "95th-percentile decision time (ms)", cell: (s) => formatMs(s.decisionP95Ms) },
  {
    header: "SLATAH",
    description: "Share of active time hosts spent at 100% CPU",
    cell: (s) => formatPercent(s.slatah),
  },
  {
    header: "PDM",
    description: "Performance degradation due to migrations (Beloglazov & Buyya)",
    cell: (s) => formatPercent(s.pdm),
  },
  { header: "SLAV", description: "SLATAH × PDM", cell: (s) => formatSmall(s.slav) },
  {
    header: "Active host-hours",
    description: "Hours of powered-on hosts per day",
    cell: (s) => formatDecimal(s.activeHostHours, 1),
  },
];

/** What the figures are: means over the days, with the one exception named. */
export function summaryNote(days: readonly string[]): string {
  const which = days.length === 1 ? `the day ${days[0] ?? ""}` : `the ${days.length} days (${days.join(", ")})`;
  return `Mean over ${which}; Max/VM/day is the highest of any day. Decision times in milliseconds.`;
}
