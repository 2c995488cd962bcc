/**
 * The evaluation report as one self-contained HTML page: inline CSS and SVG, no script, no font or
 * image to fetch (a Content-Security-Policy forbids both), so it opens the same offline, from CI
 * artifacts or a mail attachment. Every string from the report is escaped on the way in.
 */
import type { ReplayReport } from "../report-types.ts";
import {
  distributionSection,
  heatMapSection,
  imbalanceSection,
  migrationsSection,
  overloadSection,
} from "./chart-sections.ts";
import { type Markup, el, join, trusted } from "./svg.ts";
import { STYLE } from "./style.ts";
import { shownStrategies } from "./summary.ts";
import { SUMMARY_COLUMNS, summaryNote } from "./table.ts";
import { type ReportView, reportView, styleOf } from "./view.ts";

const POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

function head(report: ReplayReport): Markup {
  return el("head", {}, [
    el("meta", { charset: "utf-8" }),
    el("meta", { name: "viewport", content: "width=device-width, initial-scale=1" }),
    el("meta", { "http-equiv": "Content-Security-Policy", content: POLICY }),
    el("title", {}, [report.title]),
    el("style", {}, [trusted(STYLE)]),
  ]);
}

function fact(label: string, value: string): Markup {
  return el("li", {}, [`${label} `, el("b", {}, [value])]);
}

function pageHeader(report: ReplayReport): Markup {
  const { scenario } = report;
  return el("header", { class: "page" }, [
    el("h1", {}, [report.title]),
    el("p", { class: "lede" }, [scenario.description]),
    el("ul", { class: "facts" }, [
      fact("Scenario", scenario.name),
      fact("Hosts", String(scenario.hosts)),
      fact("Host types", scenario.hostTypes.join(", ")),
      fact("VM types", scenario.vmTypes.join(", ")),
      fact("Step", `${scenario.stepMinutes} min`),
      fact(report.days.length === 1 ? "Day" : "Days", report.days.join(", ")),
    ]),
  ]);
}

function goalItem(goal: ReplayReport["goals"][number]): Markup {
  return el("li", {}, [
    el("span", { class: goal.met ? "badge met" : "badge unmet" }, [goal.met ? "met" : "not met"]),
    el("span", {}, [
      el("span", { class: "goal" }, [goal.goal]),
      goal.detail ? el("span", { class: "detail" }, [` — ${goal.detail}`]) : "",
    ]),
  ]);
}

function goals(report: ReplayReport): Markup {
  if (report.goals.length === 0) return el("p", {}, ["No goals were set for this run."]);
  const met = report.goals.filter((goal) => goal.met).length;
  return join([
    el("p", { class: "tally" }, [`${met} of ${report.goals.length} goals met.`]),
    el("ul", { class: "goals" }, report.goals.map(goalItem)),
  ]);
}

/** Metrics down, strategies across: six strategies fit any screen where fifteen metrics would not. */
function summaryTable(view: ReportView): Markup {
  const styles = view.summaries.map((summary) => styleOf(view, summary.strategy));
  const cellClass = (i: number): string | undefined => (styles[i]?.highlight ? "highlight" : undefined);
  const header = el("tr", {}, [
    el("th", {}, ["Metric"]),
    ...styles.map((style, i) =>
      el("th", { class: cellClass(i) }, [
        el("span", { class: "dot", style: `background:${style.colour}` }),
        style.name,
      ]),
    ),
  ]);
  const rows = SUMMARY_COLUMNS.map((column) =>
    el("tr", {}, [
      el("th", { scope: "row" }, [column.header, el("span", { class: "desc" }, [column.description])]),
      ...view.summaries.map((summary, i) => el("td", { class: cellClass(i) }, [column.cell(summary)])),
    ]),
  );
  return el("div", { class: "table-wrap" }, [
    el("table", { "data-table": "summary" }, [el("thead", {}, [header]), el("tbody", {}, rows)]),
  ]);
}

function summarySection(view: ReportView): Markup {
  return el("section", { class: "card", id: "summary" }, [
    el("h2", {}, ["Goals and the figures behind them"]),
    goals(view.report),
    summaryTable(view),
    el("p", { class: "note" }, [summaryNote(view.report.days)]),
  ]);
}

/** The strategies' entries in the page's order, then the rest (the harness, "replay") by name. */
function simplificationKeys(report: ReplayReport): string[] {
  const keys = Object.keys(report.simplifications);
  const shown = shownStrategies(report).filter((strategy) => keys.includes(strategy));
  return [...shown, ...keys.filter((key) => !shown.includes(key)).sort()];
}

function simplificationsSection(report: ReplayReport): Markup {
  const keys = simplificationKeys(report);
  if (keys.length === 0) return join([]);
  const blocks = keys.map((key) =>
    el("div", {}, [
      el("h3", {}, [key === "replay" ? "replay (the harness)" : key]),
      el(
        "ul",
        { class: "plain" },
        (report.simplifications[key] ?? []).map((item) => el("li", {}, [item])),
      ),
    ]),
  );
  return el("section", { class: "card", id: "simplifications" }, [
    el("h2", {}, ["What each model leaves out"]),
    el("p", { class: "finding" }, ["The simplifications behind each strategy's replay, to weigh the figures by."]),
    el("div", { class: "columns" }, blocks),
  ]);
}

function formatValue(value: number): string {
  if (!Number.isFinite(value)) return "—";
  return Number.isInteger(value) ? value.toLocaleString("en-US") : String(Number(value.toPrecision(4)));
}

function difference(replay: number, twin: number): string {
  if (replay === twin) return "0%";
  if (replay === 0) return "—";
  const share = (twin - replay) / Math.abs(replay);
  return `${share > 0 ? "+" : ""}${(share * 100).toFixed(1)}%`;
}

function twinSection(report: ReplayReport): Markup {
  const check = report.twinCheck;
  if (check === undefined) return join([]);
  const rows = check.rows.map((row) =>
    el("tr", {}, [
      el("td", {}, [row.metric]),
      el("td", {}, [formatValue(row.replay)]),
      el("td", {}, [formatValue(row.twin)]),
      el("td", {}, [difference(row.replay, row.twin)]),
    ]),
  );
  const header = el(
    "tr",
    {},
    ["Metric", "Replay", "Twin", "Twin vs replay"].map((text) => el("th", {}, [text])),
  );
  return el("section", { class: "card", id: "twin-check" }, [
    el("h2", {}, ["The replay checked against the real controller on the twin"]),
    el("p", { class: "finding" }, [`${check.day}, the first ${check.hours} hours, the same metrics both ways.`]),
    el("div", { class: "table-wrap" }, [
      el("table", { "data-table": "twin" }, [el("thead", {}, [header]), el("tbody", {}, rows)]),
    ]),
  ]);
}

function footer(report: ReplayReport): Markup {
  const { machine } = report;
  return el("footer", {}, [
    `Generated ${report.generatedAt} with Node ${machine.node} on ${machine.cpus} CPUs. A self-contained page: no scripts, nothing fetched.`,
  ]);
}

export function renderReportHtml(report: ReplayReport): string {
  const view = reportView(report);
  const main = el("main", {}, [
    pageHeader(report),
    summarySection(view),
    imbalanceSection(view),
    overloadSection(view),
    migrationsSection(view),
    distributionSection(view),
    heatMapSection(view),
    simplificationsSection(report),
    twinSection(report),
    footer(report),
  ]);
  return `<!doctype html>\n${el("html", { lang: "en" }, [head(report), el("body", {}, [main])]).html}\n`;
}
