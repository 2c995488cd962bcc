/**
 * The page's chart sections: imbalance through the day, overload time, migrations, how migrations
 * spread over VMs, and the per-node heat maps. Each says in words what its chart shows and one fact
 * read off it.
 */
import type { HeatMap } from "../report-types.ts";
import {
  type BarGroup,
  type LineSeries,
  barChart,
  columnChart,
  heatLegend,
  heatMap,
  lineChart,
  strategyLegend,
} from "./charts.ts";
import { formatCount, formatFixed, formatPercent, formatPercentTick, formatShortCount } from "./format.ts";
import { type Markup, el, join, niceMax } from "./svg.ts";
import { KUBEDRS, binCounts, lowest, meanSeries, migrationBins, resultsOf, sumSeries } from "./summary.ts";
import { type ReportView, daysPhrase, styleOf } from "./view.ts";

function card(id: string, children: readonly (Markup | string)[]): Markup {
  return el("section", { class: "card", id }, children);
}

function imbalanceSeries(view: ReportView, day?: string): LineSeries[] {
  return view.styles.map((style) => {
    const results = resultsOf(view.report, style.name).filter((result) => day === undefined || result.day === day);
    return { ...style, values: meanSeries(results.map((result) => result.imbalance)) };
  });
}

function seriesMax(series: readonly LineSeries[]): number {
  return niceMax(Math.max(0, ...series.flatMap((line) => line.values.filter(Number.isFinite))));
}

function dayMultiples(view: ReportView, yMax: number): Markup {
  const figures = view.report.days.map((day) =>
    el("figure", {}, [
      el("figcaption", {}, [day]),
      lineChart({
        id: `imbalance-${day}`,
        label: `Imbalance through ${day}, by strategy`,
        series: imbalanceSeries(view, day),
        xStep: view.stepHours,
        xMax: 24,
        yMax,
        yFormat: (value) => formatFixed(value, 2),
        small: true,
      }),
    ]),
  );
  return el("div", { class: "multiples" }, figures);
}

function imbalanceFinding(view: ReportView): string {
  const best = lowest(view.summaries, (summary) => summary.imbalance);
  const worst = lowest(view.summaries, (summary) => -summary.imbalance);
  if (best === undefined || worst === undefined) return "No imbalance was recorded.";
  return `Lowest over the day: ${best.strategy} (${formatFixed(best.imbalance, 3)}); highest: ${worst.strategy} (${formatFixed(worst.imbalance, 3)}).`;
}

export function imbalanceSection(view: ReportView): Markup {
  const series = imbalanceSeries(view);
  const allDays = view.report.days.map((day) => imbalanceSeries(view, day)).flat();
  const yMax = seriesMax([...series, ...allDays]);
  const { days, scenario } = view.report;
  const many = days.length > 1;
  return card("imbalance", [
    el("h2", {}, ["Imbalance through the day, by strategy"]),
    el("p", { class: "finding" }, [
      `Standard deviation of CPU utilization across active nodes every ${scenario.stepMinutes} minutes${many ? `, mean of ${daysPhrase(days)} at each step` : ""}. Lower is more even. ${imbalanceFinding(view)}`,
    ]),
    strategyLegend(view.styles),
    lineChart({
      id: "imbalance",
      label: "Imbalance through the day, by strategy",
      series,
      xStep: view.stepHours,
      xMax: 24,
      yMax,
      yFormat: (v) => formatFixed(v, 2),
    }),
    many ? el("h3", {}, ["Each day on its own (same scale)"]) : "",
    many ? dayMultiples(view, yMax) : "",
  ]);
}

function overloadGroups(view: ReportView): BarGroup[] {
  return view.summaries.map((summary) => {
    const { colour, highlight } = styleOf(view, summary.strategy);
    const bar = (value: number, threshold: string, opacity?: number): BarGroup["bars"][number] => ({
      value,
      colour,
      ...(opacity === undefined ? {} : { opacity }),
      text: `${threshold} ${formatPercent(value)}`,
      tooltip: `${summary.strategy}: ${formatPercent(value)} of node-time ${threshold} CPU`,
    });
    return {
      name: summary.strategy,
      highlight,
      bars: [bar(summary.above80, ">80%", 0.42), bar(summary.above90, ">90%")],
    };
  });
}

export function overloadSection(view: ReportView): Markup {
  const best = lowest(view.summaries, (summary) => summary.above90);
  const fact = best ? ` Least time above 90%: ${best.strategy} (${formatPercent(best.above90)}).` : "";
  return card("overload", [
    el("h2", {}, ["Time nodes spent overloaded, by strategy"]),
    el("p", { class: "finding" }, [
      `Share of active node-time above 80% CPU (light) and above 90% (solid), mean over ${daysPhrase(view.report.days)}.${fact}`,
    ]),
    barChart({
      id: "overload",
      label: "Share of node-time above 80% and 90% CPU, by strategy",
      groups: overloadGroups(view),
      xFormat: formatPercentTick,
    }),
  ]);
}

export function migrationsSection(view: ReportView): Markup {
  const groups: BarGroup[] = view.summaries.map((summary) => ({
    name: summary.strategy,
    highlight: styleOf(view, summary.strategy).highlight,
    bars: [
      {
        value: summary.migrationsTotal,
        colour: styleOf(view, summary.strategy).colour,
        text: formatCount(summary.migrationsTotal),
        tooltip: `${summary.strategy}: ${formatCount(summary.migrationsTotal)} migrations`,
      },
    ],
  }));
  const kubedrs = view.summaries.find((summary) => summary.strategy === KUBEDRS);
  const fact = kubedrs ? ` kubedrs made ${formatCount(kubedrs.migrationsTotal)}.` : "";
  return card("migrations", [
    el("h2", {}, ["Live migrations made, by strategy"]),
    el("p", { class: "finding" }, [
      `Total over ${daysPhrase(view.report.days)}, failed and aborted ones included.${fact}`,
    ]),
    barChart({ id: "migrations", label: "Migrations over all days, by strategy", groups, xFormat: formatShortCount }),
  ]);
}

function busiest(view: ReportView): string {
  const worst = lowest(view.summaries, (summary) => -summary.perVmMax);
  if (worst === undefined || !(worst.perVmMax > 0)) return "No VM migrated.";
  return `The most for one VM in one day: ${formatCount(worst.perVmMax)}, under ${worst.strategy}.`;
}

export function distributionSection(view: ReportView): Markup {
  const counts = view.styles.map((style) =>
    sumSeries(resultsOf(view.report, style.name).map((r) => r.vmsByMigrations)),
  );
  const maxCount = Math.max(0, ...counts.map((row) => row.length - 1));
  const bins = migrationBins(maxCount);
  const series = view.styles.map((style, i) => ({ ...style, values: binCounts(counts[i] ?? [], bins) }));
  return card("distribution", [
    el("h2", {}, ["How often each VM moved in a day"]),
    el("p", { class: "finding" }, [
      `VM-days by the number of migrations the VM made that day, summed over ${daysPhrase(view.report.days)}; log scale, so the rare busy VMs show beside the many that stayed put. ${busiest(view)}`,
    ]),
    strategyLegend(view.styles),
    columnChart({
      id: "distribution",
      label: "VM-days by migrations of the VM that day, by strategy",
      categories: bins.map((bin) => bin.label),
      series,
      xTitle: "migrations of one VM in one day",
      yFormat: formatShortCount,
      unit: "VM-days",
    }),
  ]);
}

function above90On(view: ReportView, map: HeatMap): number {
  const result = resultsOf(view.report, map.strategy).find((r) => r.day === map.day);
  return result?.metrics.overload.above90 ?? Number.POSITIVE_INFINITY;
}

/** kubedrs first, then the baselines by least time above 90% that day: the first two are the comparison. */
function heatMapOrder(view: ReportView): HeatMap[] {
  const rank = (map: HeatMap): number => (map.strategy === KUBEDRS ? -1 : above90On(view, map));
  return [...view.report.heatMaps].sort((a, b) => a.day.localeCompare(b.day) || rank(a) - rank(b));
}

function heatFigure(view: ReportView, map: HeatMap): Markup {
  const highlight = map.strategy === KUBEDRS;
  const hot = above90On(view, map);
  const sub = Number.isFinite(hot) ? ` · ${formatPercent(hot)} of node-time above 90%` : "";
  return el("figure", {}, [
    el("figcaption", { class: highlight ? "highlight" : undefined }, [
      map.strategy,
      el("span", { class: "sub" }, [` · ${map.day}${sub}`]),
    ]),
    heatMap({
      id: `heat-${map.strategy}-${map.day}`,
      label: `CPU utilization of each node group through ${map.day} under ${map.strategy}`,
      cells: map.cells,
      nodesPerRow: map.nodesPerRow,
      columnHours: (map.stepsPerColumn * view.report.scenario.stepMinutes) / 60,
    }),
  ]);
}

function heatCaption(view: ReportView, maps: readonly HeatMap[]): string {
  const first = maps[0];
  if (first === undefined) return "";
  const perColumn = first.stepsPerColumn * view.report.scenario.stepMinutes;
  return `Rows are groups of ${first.nodesPerRow} nodes (the same nodes in the same order in every map), columns ${perColumn}-minute windows; each cell is the hottest node of its group in that window, so a hot spot never averages away. One colour scale for all; 100% is a node's full CPU.`;
}

export function heatMapSection(view: ReportView): Markup {
  const maps = heatMapOrder(view);
  if (maps.length === 0) return join([]);
  const rival = maps.find((map) => map.strategy !== KUBEDRS);
  const title = rival
    ? `Where the heat was: kubedrs beside ${rival.strategy}, the baseline least overloaded`
    : "Where the heat was, node by node";
  return card("heat-maps", [
    el("h2", {}, [title]),
    el("p", { class: "finding" }, [heatCaption(view, maps)]),
    heatLegend(),
    el(
      "div",
      { class: "pair" },
      maps.map((map) => heatFigure(view, map)),
    ),
  ]);
}
