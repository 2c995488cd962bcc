/**
 * What every section of the page needs, worked out once from the report: the strategies shown and
 * their colours, each one's summary row, and the length of a trace step in hours.
 */
import type { ReplayReport } from "../report-types.ts";
import type { StrategyStyle } from "./charts.ts";
import { type StrategySummary, KUBEDRS, shownStrategies, strategyColours, summarize } from "./summary.ts";

export interface ReportView {
  readonly report: ReplayReport;
  readonly summaries: readonly StrategySummary[];
  readonly styles: readonly StrategyStyle[];
  readonly stepHours: number;
}

export function reportView(report: ReplayReport): ReportView {
  const strategies = shownStrategies(report);
  const colours = strategyColours(strategies);
  return {
    report,
    summaries: summarize(report),
    styles: strategies.map((name) => ({ name, colour: colours.get(name) ?? "#888888", highlight: name === KUBEDRS })),
    stepHours: report.scenario.stepMinutes / 60,
  };
}

export function styleOf(view: ReportView, strategy: string): StrategyStyle {
  return (
    view.styles.find((style) => style.name === strategy) ?? { name: strategy, colour: "#888888", highlight: false }
  );
}

/** "the 2 days" or "20110303": how a caption names the days averaged over. */
export function daysPhrase(days: readonly string[]): string {
  return days.length === 1 ? (days[0] ?? "the day") : `the ${days.length} days`;
}
