/**
 * The report's charts as inline SVG: a line chart over the day, horizontal grouped bars, vertical
 * grouped columns (linear or log) and a heat map with its colour legend. Each takes one spec object
 * and returns markup; the page's style sheet gives them their fonts and strokes.
 */
import { formatHour } from "./format.ts";
import {
  type Markup,
  bottomAxis,
  coordinate,
  el,
  join,
  leftAxis,
  linearScale,
  logScale,
  logTicks,
  niceMax,
  niceTicks,
} from "./svg.ts";

export interface Margin {
  readonly top: number;
  readonly right: number;
  readonly bottom: number;
  readonly left: number;
}

export interface Frame {
  readonly width: number;
  readonly height: number;
  readonly margin: Margin;
}

interface Box {
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
}

function plotBox(frame: Frame): Box {
  const { width, height, margin } = frame;
  return { left: margin.left, right: width - margin.right, top: margin.top, bottom: height - margin.bottom };
}

export interface ChartIdentity {
  /** `data-chart` on the <svg>, for tests and deep links. */
  readonly id: string;
  /** What the chart shows, for screen readers and the tooltip. */
  readonly label: string;
}

function chartSvg(frame: Frame, identity: ChartIdentity, children: readonly Markup[]): Markup {
  const { width, height } = frame;
  return el(
    "svg",
    {
      class: "chart",
      "data-chart": identity.id,
      viewBox: `0 0 ${coordinate(width)} ${coordinate(height)}`,
      width,
      height,
      role: "img",
      "aria-label": identity.label,
    },
    [el("title", {}, [identity.label]), ...children],
  );
}

export interface StrategyStyle {
  readonly name: string;
  readonly colour: string;
  /** kubedrs: drawn last, thicker and bolder. */
  readonly highlight: boolean;
}

export interface LineSeries extends StrategyStyle {
  readonly values: readonly number[];
}

export interface LineChartSpec extends ChartIdentity {
  readonly series: readonly LineSeries[];
  /** x units (hours) from one value to the next. */
  readonly xStep: number;
  readonly xMax: number;
  readonly yMax: number;
  readonly yFormat: (value: number) => string;
  readonly small?: boolean;
}

const LARGE_LINE: Frame = { width: 760, height: 320, margin: { top: 14, right: 18, bottom: 30, left: 52 } };
const SMALL_LINE: Frame = { width: 380, height: 190, margin: { top: 10, right: 12, bottom: 26, left: 44 } };

/** The path through the finite values; a gap (NaN) starts a new stroke. */
export function linePath(values: readonly number[], x: (i: number) => number, y: (v: number) => number): string {
  let pen = "M";
  const parts: string[] = [];
  values.forEach((value, i) => {
    if (!Number.isFinite(value)) {
      pen = "M";
      return;
    }
    parts.push(`${pen}${coordinate(x(i))},${coordinate(y(value))}`);
    pen = "L";
  });
  return parts.join("");
}

/** Ticks every `every` hours over a day; a span that is not a day gets round numbers instead. */
export function hourTicks(hours: number, every: number): number[] {
  if (hours !== 24) return niceTicks(0, hours, Math.max(2, Math.round(24 / every)));
  return Array.from({ length: 24 / every + 1 }, (_, i) => i * every);
}

/** Highlighted series last, so kubedrs is drawn on top. */
function drawOrder<T extends StrategyStyle>(items: readonly T[]): T[] {
  return [...items.filter((item) => !item.highlight), ...items.filter((item) => item.highlight)];
}

export function lineChart(spec: LineChartSpec): Markup {
  const frame = spec.small ? SMALL_LINE : LARGE_LINE;
  const box = plotBox(frame);
  const x = linearScale([0, spec.xMax], [box.left, box.right]);
  const y = linearScale([0, spec.yMax], [box.bottom, box.top]);
  const lines = drawOrder(spec.series).map((series) =>
    el("path", {
      class: series.highlight ? "series highlight" : "series",
      "data-strategy": series.name,
      d: linePath(series.values, (i) => x(i * spec.xStep), y),
      stroke: series.colour,
    }),
  );
  const xTicks = hourTicks(spec.xMax, spec.small ? 6 : 2);
  return chartSvg(frame, spec, [
    leftAxis({
      scale: y,
      ticks: niceTicks(0, spec.yMax, 5),
      format: spec.yFormat,
      at: box.left,
      grid: [box.left, box.right],
    }),
    bottomAxis({ scale: x, ticks: xTicks, format: formatHour, at: box.bottom }),
    el("line", { class: "baseline", x1: box.left, x2: box.right, y1: box.bottom, y2: box.bottom }),
    el("g", { class: "lines" }, lines),
  ]);
}

export interface Bar {
  readonly value: number;
  readonly colour: string;
  /** Lighter bars (the >80% beside the >90%) are drawn translucent. */
  readonly opacity?: number;
  /** Written at the bar's end. */
  readonly text: string;
  /** The bar's tooltip. */
  readonly tooltip: string;
}

export interface BarGroup {
  readonly name: string;
  readonly highlight: boolean;
  readonly bars: readonly Bar[];
}

export interface BarChartSpec extends ChartIdentity {
  readonly groups: readonly BarGroup[];
  readonly xFormat: (value: number) => string;
}

const BAR = { height: 18, gap: 3, groupGap: 14, width: 760 } as const;
const BAR_MARGIN: Margin = { top: 8, right: 80, bottom: 28, left: 128 };

function groupHeight(group: BarGroup): number {
  return group.bars.length * BAR.height + Math.max(0, group.bars.length - 1) * BAR.gap;
}

function barRow(group: BarGroup, top: number, x: (value: number) => number): Markup {
  const bars = group.bars.map((bar, i) => {
    const y = top + i * (BAR.height + BAR.gap);
    const end = x(Math.max(0, bar.value));
    return join([
      el(
        "rect",
        {
          class: "bar",
          x: x(0),
          y,
          width: end - x(0),
          height: BAR.height,
          fill: bar.colour,
          "fill-opacity": bar.opacity,
        },
        [el("title", {}, [bar.tooltip])],
      ),
      el("text", { class: "value", x: end + 5, y: y + BAR.height / 2 + 4 }, [bar.text]),
    ]);
  });
  const name = el(
    "text",
    {
      class: group.highlight ? "name highlight" : "name",
      x: x(0) - 8,
      y: top + groupHeight(group) / 2 + 4,
      "text-anchor": "end",
    },
    [group.name],
  );
  return el("g", { "data-strategy": group.name }, [name, ...bars]);
}

/** Horizontal bars, one group per strategy, names on the left and each value written at its bar's end. */
export function barChart(spec: BarChartSpec): Markup {
  const body =
    spec.groups.reduce((sum, group) => sum + groupHeight(group), 0) +
    BAR.groupGap * Math.max(0, spec.groups.length - 1);
  const frame: Frame = { width: BAR.width, height: BAR_MARGIN.top + body + BAR_MARGIN.bottom, margin: BAR_MARGIN };
  const box = plotBox(frame);
  const max = niceMax(Math.max(0, ...spec.groups.flatMap((group) => group.bars.map((bar) => bar.value))));
  const x = linearScale([0, max], [box.left, box.right]);
  let top = box.top;
  const rows = spec.groups.map((group) => {
    const row = barRow(group, top, x);
    top += groupHeight(group) + BAR.groupGap;
    return row;
  });
  return chartSvg(frame, spec, [
    bottomAxis({
      scale: x,
      ticks: niceTicks(0, max, 6),
      format: spec.xFormat,
      at: box.bottom,
      grid: [box.top, box.bottom],
    }),
    el("line", { class: "baseline", x1: box.left, x2: box.left, y1: box.top, y2: box.bottom }),
    ...rows,
  ]);
}

export interface ColumnSeries extends StrategyStyle {
  readonly values: readonly number[];
}

export interface ColumnChartSpec extends ChartIdentity {
  readonly categories: readonly string[];
  readonly series: readonly ColumnSeries[];
  /** Written under the categories. */
  readonly xTitle: string;
  readonly yFormat: (value: number) => string;
  /** What one value counts, for tooltips ("VM-days"). */
  readonly unit: string;
}

const COLUMN_FRAME: Frame = { width: 760, height: 320, margin: { top: 12, right: 12, bottom: 48, left: 52 } };

/** A log scale for counts: the baseline sits at ½ so a count of 1 still shows. */
function countScale(max: number, box: Box): { scale: (value: number) => number; ticks: number[] } {
  const ticks = logTicks(1, Math.max(10, max));
  const top = ticks.at(-1) ?? 10;
  return { scale: logScale([0.5, top], [box.bottom, box.top]), ticks };
}

function columnGroup(spec: ColumnChartSpec, category: number, place: ColumnPlacement): Markup {
  const label = spec.categories[category] ?? "";
  const columns = spec.series.map((series, s) => {
    const value = series.values[category] ?? 0;
    const x = place.left(category) + s * place.width;
    const top = value > 0 ? place.y(value) : place.bottom;
    return el(
      "rect",
      {
        class: "bar",
        "data-strategy": series.name,
        x,
        y: top,
        width: Math.max(1, place.width - 1),
        height: place.bottom - top,
        fill: series.colour,
      },
      [el("title", {}, [`${series.name}: ${value.toLocaleString("en-US")} ${spec.unit} with ${label}`])],
    );
  });
  const centre = place.left(category) + (place.width * spec.series.length) / 2;
  return el("g", {}, [
    ...columns,
    el("text", { class: "category", x: centre, y: place.bottom + 16, "text-anchor": "middle" }, [label]),
  ]);
}

interface ColumnPlacement {
  readonly left: (category: number) => number;
  readonly width: number;
  readonly bottom: number;
  readonly y: (value: number) => number;
}

/** Vertical columns grouped by category, one per strategy, on a log scale of counts. */
export function columnChart(spec: ColumnChartSpec): Markup {
  const box = plotBox(COLUMN_FRAME);
  const max = Math.max(1, ...spec.series.flatMap((series) => series.values));
  const { scale: y, ticks } = countScale(max, box);
  const slot = (box.right - box.left) / Math.max(1, spec.categories.length);
  const inner = slot * 0.8;
  const place: ColumnPlacement = {
    left: (category) => box.left + category * slot + (slot - inner) / 2,
    width: inner / Math.max(1, spec.series.length),
    bottom: box.bottom,
    y,
  };
  return chartSvg(COLUMN_FRAME, spec, [
    leftAxis({ scale: y, ticks, format: spec.yFormat, at: box.left, grid: [box.left, box.right] }),
    el("line", { class: "baseline", x1: box.left, x2: box.right, y1: box.bottom, y2: box.bottom }),
    ...spec.categories.map((_, category) => columnGroup(spec, category, place)),
    el(
      "text",
      { class: "axis-title", x: (box.left + box.right) / 2, y: COLUMN_FRAME.height - 6, "text-anchor": "middle" },
      [spec.xTitle],
    ),
  ]);
}

/**
 * Utilization to colour: pale to deep blue up to 80%, then a break to warm colours, yellow just past
 * 80%, orange at 90%, red at 100%, dark red at 120% and beyond, so a cell over the threshold never
 * passes for a busy one under it.
 */
const HEAT_STOPS: readonly (readonly [number, readonly [number, number, number]])[] = [
  [0, [247, 251, 255]],
  [0.4, [198, 219, 239]],
  [0.8, [33, 113, 181]],
  [0.8, [254, 224, 139]],
  [0.9, [252, 141, 89]],
  [1, [215, 48, 39]],
  [1.2, [127, 0, 0]],
];
export const HEAT_MAX = 1.2;

function hex(channel: number): string {
  return Math.round(channel).toString(16).padStart(2, "0");
}

export function heatColour(utilization: number): string {
  const u = Number.isFinite(utilization) ? Math.min(HEAT_MAX, Math.max(0, utilization)) : 0;
  const upper = HEAT_STOPS.findIndex(([at]) => at >= u);
  const [hiAt, hi] = HEAT_STOPS[Math.max(0, upper)] ?? [0, [0, 0, 0]];
  const [loAt, lo] = HEAT_STOPS[Math.max(0, upper - 1)] ?? [hiAt, hi];
  const t = hiAt === loAt ? 0 : (u - loAt) / (hiAt - loAt);
  return `#${[0, 1, 2].map((c) => hex((lo[c] ?? 0) + t * ((hi[c] ?? 0) - (lo[c] ?? 0)))).join("")}`;
}

export interface HeatMapSpec extends ChartIdentity {
  readonly cells: readonly (readonly number[])[];
  readonly nodesPerRow: number;
  /** Hours one column spans. */
  readonly columnHours: number;
}

const HEAT_WIDTH = 520;
const HEAT_MARGIN: Margin = { top: 8, right: 10, bottom: 28, left: 56 };

function heatCells(spec: HeatMapSpec, box: Box, rowHeight: number): Markup[] {
  const columns = Math.max(1, ...spec.cells.map((row) => row.length));
  const width = (box.right - box.left) / columns;
  return spec.cells.flatMap((row, r) =>
    row.map((value, c) => {
      const where = `nodes ${r * spec.nodesPerRow + 1}–${(r + 1) * spec.nodesPerRow}, ${formatHour(c * spec.columnHours)}–${formatHour((c + 1) * spec.columnHours)}`;
      return el(
        "rect",
        {
          class: "cell",
          x: box.left + c * width,
          y: box.top + r * rowHeight,
          width: width + 0.3,
          height: rowHeight + 0.3,
          fill: heatColour(value),
        },
        [el("title", {}, [`${where}: ${Math.round(value * 100)}%`])],
      );
    }),
  );
}

/** Rows of nodes by columns of time, each cell coloured by its utilization on one shared scale. */
export function heatMap(spec: HeatMapSpec): Markup {
  const rows = spec.cells.length;
  const rowHeight = Math.min(20, Math.max(3, 320 / Math.max(1, rows)));
  const frame: Frame = {
    width: HEAT_WIDTH,
    height: HEAT_MARGIN.top + rows * rowHeight + HEAT_MARGIN.bottom,
    margin: HEAT_MARGIN,
  };
  const box = plotBox(frame);
  const columns = Math.max(1, ...spec.cells.map((row) => row.length));
  const hours = columns * spec.columnHours;
  const x = linearScale([0, hours], [box.left, box.right]);
  const rowTicks = niceTicks(0, Math.max(0, rows - 1), Math.min(rows, 5));
  const y = (row: number): number => box.top + (row + 0.5) * rowHeight;
  return chartSvg(frame, spec, [
    el("g", { class: "cells" }, heatCells(spec, box, rowHeight)),
    bottomAxis({ scale: x, ticks: hourTicks(hours, 3), format: formatHour, at: box.bottom }),
    leftAxis({ scale: y, ticks: rowTicks, format: (row) => String(row * spec.nodesPerRow + 1), at: box.left }),
    el(
      "text",
      {
        class: "axis-title",
        transform: `translate(12 ${(box.top + box.bottom) / 2}) rotate(-90)`,
        "text-anchor": "middle",
      },
      ["node"],
    ),
  ]);
}

const LEGEND_TICKS = [0, 0.5, 0.8, 0.9, 1, HEAT_MAX] as const;

/** The heat maps' colour scale from 0% to 120% and beyond, with the thresholds marked. */
export function heatLegend(): Markup {
  const frame: Frame = { width: 520, height: 46, margin: { top: 6, right: 26, bottom: 22, left: 26 } };
  const box = plotBox(frame);
  const x = linearScale([0, HEAT_MAX], [box.left, box.right]);
  const steps = 96;
  const swatches = Array.from({ length: steps }, (_, i) => {
    const from = (i / steps) * HEAT_MAX;
    return el("rect", {
      x: x(from),
      y: box.top,
      width: (box.right - box.left) / steps + 0.3,
      height: box.bottom - box.top,
      fill: heatColour(from + HEAT_MAX / steps / 2),
    });
  });
  const label = (value: number): string => `${value >= HEAT_MAX ? "≥" : ""}${Math.round(value * 100)}%`;
  return chartSvg(frame, { id: "heat-legend", label: "Colour scale: CPU utilization from 0% to 120% and above" }, [
    el("g", { class: "swatches" }, swatches),
    bottomAxis({ scale: x, ticks: LEGEND_TICKS, format: label, at: box.bottom }),
  ]);
}

/** A legend for strategy colours, in HTML so names wrap as the browser measures them. */
export function strategyLegend(entries: readonly StrategyStyle[]): Markup {
  return el(
    "ul",
    { class: "legend" },
    entries.map((entry) =>
      el("li", { class: entry.highlight ? "highlight" : undefined }, [
        el("span", { class: "swatch", style: `background:${entry.colour}` }),
        entry.name,
      ]),
    ),
  );
}
