/**
 * The page's one style sheet, inline: system fonts only (nothing to fetch), cards on a light page,
 * tabular figures in tables, and the strokes and text of the SVG charts.
 */
export const STYLE = `
:root {
  --ink: #1f2328; --muted: #59636e; --faint: #8c959f; --rule: #d8dee4; --page: #f5f6f8; --card: #ffffff;
  --accent: #D55E00; --met: #1a7f37; --met-bg: #dafbe1; --unmet: #cf222e; --unmet-bg: #ffebe9;
}
* { box-sizing: border-box; }
html { background: var(--page); color: var(--ink); }
body {
  margin: 0; font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  -webkit-font-smoothing: antialiased;
}
main { max-width: 1120px; margin: 0 auto; padding: 40px 28px 64px; }
header.page { margin-bottom: 28px; }
h1 { font-size: 30px; line-height: 1.2; margin: 0 0 8px; letter-spacing: -0.01em; }
h2 { font-size: 20px; line-height: 1.3; margin: 0 0 4px; }
h3 { font-size: 15px; margin: 18px 0 6px; }
p { margin: 0 0 10px; }
.lede { font-size: 17px; color: var(--muted); max-width: 820px; }
.facts { display: flex; flex-wrap: wrap; gap: 6px 22px; margin: 14px 0 0; padding: 0; list-style: none; color: var(--muted); font-size: 13px; }
.facts b { color: var(--ink); font-weight: 600; }
section.card { background: var(--card); border: 1px solid var(--rule); border-radius: 10px; padding: 22px 24px; margin: 0 0 22px; }
.finding { color: var(--muted); margin: 0 0 14px; max-width: 860px; }
.note { color: var(--faint); font-size: 12.5px; margin-top: 10px; }
.goals { list-style: none; padding: 0; margin: 8px 0 18px; display: grid; gap: 6px; }
.goals li { display: flex; gap: 12px; align-items: baseline; }
.badge { flex: none; min-width: 68px; text-align: center; font-size: 12px; font-weight: 700; border-radius: 999px; padding: 2px 10px; }
.badge.met { color: var(--met); background: var(--met-bg); }
.badge.unmet { color: var(--unmet); background: var(--unmet-bg); }
.goals .detail { color: var(--muted); }
.tally { font-weight: 600; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 13.5px; font-variant-numeric: tabular-nums; }
th, td { padding: 7px 10px; border-bottom: 1px solid var(--rule); white-space: nowrap; }
thead th { font-weight: 600; color: var(--ink); text-align: right; vertical-align: bottom; border-bottom: 2px solid var(--rule); }
tbody th { font-weight: 600; text-align: left; }
tbody th .desc { display: block; font-weight: 400; font-size: 12px; color: var(--faint); white-space: normal; }
td { text-align: right; }
th:first-child, td:first-child { text-align: left; }
tbody tr:nth-child(even) { background: #fafbfc; }
table .highlight { background: #fff4ec; }
tbody tr:nth-child(even) .highlight { background: #fdeee3; }
td.highlight { font-weight: 700; }
thead th.highlight { color: var(--accent); box-shadow: inset 0 3px 0 var(--accent); }
.dot { display: inline-block; width: 9px; height: 9px; border-radius: 50%; margin-right: 7px; vertical-align: 0; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 18px; list-style: none; padding: 0; margin: 0 0 8px; font-size: 13px; color: var(--muted); }
.legend li { display: flex; align-items: center; gap: 6px; }
.legend li.highlight { color: var(--ink); font-weight: 700; }
.legend .swatch { display: inline-block; width: 18px; height: 4px; border-radius: 2px; }
.legend .swatch.light { opacity: 0.45; }
.legend .swatch.block { height: 10px; background: var(--faint); }
.multiples { display: grid; grid-template-columns: repeat(auto-fill, minmax(440px, 1fr)); gap: 8px 22px; margin-top: 18px; }
.pair { display: grid; grid-template-columns: repeat(auto-fill, minmax(420px, 1fr)); gap: 14px 24px; }
figure { margin: 0; }
figcaption { font-size: 13px; font-weight: 600; margin: 0 0 4px; }
figcaption.highlight { color: var(--accent); }
figcaption .sub { color: var(--faint); font-weight: 400; }
svg.chart { display: block; width: 100%; height: auto; font-size: 11px; overflow: visible; }
svg.chart .axis text, svg.chart .category, svg.chart .axis-title { fill: var(--muted); }
svg.chart .axis line { stroke: var(--faint); }
svg.chart .axis line.grid { stroke: #eaeef2; }
svg.chart .baseline { stroke: var(--faint); }
svg.chart path.series { fill: none; stroke-width: 1.6; stroke-linejoin: round; stroke-linecap: round; opacity: 0.85; }
svg.chart path.series.highlight { stroke-width: 2.8; opacity: 1; }
svg.chart text.name { fill: var(--ink); font-size: 12.5px; }
svg.chart text.name.highlight { font-weight: 700; fill: var(--accent); }
svg.chart text.value { fill: var(--ink); font-size: 11.5px; }
svg.chart .cells { shape-rendering: crispEdges; }
svg.chart[data-chart="heat-legend"] { max-width: 520px; margin: 0 0 12px; }
ul.plain { margin: 4px 0 0; padding-left: 20px; }
ul.plain li { margin: 2px 0; }
.columns { columns: 2 380px; column-gap: 36px; }
.columns > div { break-inside: avoid; }
footer { color: var(--faint); font-size: 12.5px; text-align: center; margin-top: 26px; }
`;
