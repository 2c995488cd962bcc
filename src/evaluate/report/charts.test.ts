import { describe, expect, it } from "vitest";
import {
  barChart,
  columnChart,
  heatColour,
  heatLegend,
  heatMap,
  hourTicks,
  lineChart,
  linePath,
  strategyLegend,
} from "./charts.ts";

const count = (html: string, pattern: RegExp) => html.match(new RegExp(pattern.source, "g"))?.length ?? 0;
const style = (name: string, highlight = false) => ({ name, colour: "#123456", highlight });

describe("the line chart", () => {
  const chart = lineChart({
    id: "imbalance",
    label: "Imbalance",
    series: [
      { ...style("kubedrs", true), values: [0.1, 0.2, 0.15] },
      { ...style("none"), values: [0.3, Number.NaN, 0.2] },
    ],
    xStep: 12,
    xMax: 24,
    yMax: 0.4,
    yFormat: String,
  }).html;

  it("draws one path per series, the highlighted one last", () => {
    expect(count(chart, /<path /)).toBe(2);
    expect(chart.indexOf('data-strategy="none"')).toBeLessThan(chart.indexOf('data-strategy="kubedrs"'));
    expect(chart).toContain('class="series highlight"');
  });

  it("labels the hours of the day", () => {
    expect(count(chart, /> ?\d+ h<\/text>/)).toBe(hourTicks(24, 2).length);
  });

  it("breaks a line at a missing value", () => {
    expect(
      linePath(
        [1, Number.NaN, 2, 3],
        (i) => i,
        (v) => v,
      ),
    ).toBe("M0,1M2,2L3,3");
  });
});

describe("bar and column charts", () => {
  it("draws a bar and a value label per bar, and a name per group", () => {
    const bar = (value: number) => ({ value, colour: "#000000", text: String(value), tooltip: "t" });
    const chart = barChart({
      id: "overload",
      label: "Overload",
      groups: [
        { name: "none", highlight: false, bars: [bar(0.1), bar(0.05)] },
        { name: "kubedrs", highlight: true, bars: [bar(0.02), bar(0.01)] },
      ],
      xFormat: String,
    }).html;
    expect(count(chart, /<rect class="bar"/)).toBe(4);
    expect(count(chart, /class="value"/)).toBe(4);
    expect(count(chart, /class="name( highlight)?"/)).toBe(2);
  });

  it("draws a column per strategy per category, zero counts flat", () => {
    const chart = columnChart({
      id: "distribution",
      label: "Distribution",
      categories: ["0", "1", "2"],
      series: [
        { ...style("none"), values: [100, 0, 0] },
        { ...style("kubedrs", true), values: [90, 8, 2] },
      ],
      xTitle: "migrations",
      yFormat: String,
      unit: "VM-days",
    }).html;
    expect(count(chart, /<rect class="bar"/)).toBe(6);
    expect(count(chart, /height="0"/)).toBe(2);
    expect(count(chart, /class="category"/)).toBe(3);
  });
});

describe("heat maps", () => {
  it("draws one cell per value, with where and how hot in its tooltip", () => {
    const chart = heatMap({
      id: "heat",
      label: "Heat",
      cells: [
        [0.2, 0.5, 0.95],
        [0.1, 1.3, 0.4],
      ],
      nodesPerRow: 4,
      columnHours: 8,
    }).html;
    expect(count(chart, /<rect class="cell"/)).toBe(6);
    expect(chart).toContain("<title>nodes 5–8, 8 h–16 h: 130%</title>");
  });

  it("colours on one scale: pale when idle, blue below 80%, warm above, dark red from 120%", () => {
    expect(heatColour(0)).toBe("#f7fbff");
    expect(heatColour(0.8)).toBe("#2171b5");
    expect(heatColour(0.85)).not.toBe(heatColour(0.8));
    expect(heatColour(1)).toBe("#d73027");
    expect(heatColour(2)).toBe("#7f0000");
    expect(heatColour(Number.NaN)).toBe("#f7fbff");
  });

  it("has a legend with the thresholds marked", () => {
    const legend = heatLegend().html;
    for (const label of ["0%", "80%", "90%", "100%", "≥120%"]) expect(legend).toContain(`>${label}</text>`);
  });
});

describe("the strategy legend", () => {
  it("lists each strategy with its colour, escaping names", () => {
    const legend = strategyLegend([style("<b>x</b>"), style("kubedrs", true)]).html;
    expect(count(legend, /<li/)).toBe(2);
    expect(legend).toContain("&lt;b&gt;x&lt;/b&gt;");
    expect(legend).toContain('<li class="highlight">');
  });
});
