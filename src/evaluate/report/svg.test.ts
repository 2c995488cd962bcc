import { describe, expect, it } from "vitest";
import {
  bottomAxis,
  el,
  escapeXml,
  join,
  leftAxis,
  linearScale,
  logScale,
  logTicks,
  niceMax,
  niceTicks,
  tickStep,
  trusted,
} from "./svg.ts";

describe("escaping", () => {
  it("escapes the five characters that matter in HTML and SVG", () => {
    expect(escapeXml(`<a href="x" onclick='y'>&amp;</a>`)).toBe(
      "&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;",
    );
  });

  it("escapes string children and attribute values, not markup children", () => {
    const markup = el("text", { "data-strategy": `"><script>alert(1)</script>` }, [
      "<img src=x onerror=alert(1)>",
      el("tspan", {}, ["ok"]),
    ]);
    expect(markup.html).toBe(
      '<text data-strategy="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;">&lt;img src=x onerror=alert(1)&gt;<tspan>ok</tspan></text>',
    );
  });

  it("refuses a tag or attribute name that is not one", () => {
    expect(() => el("svg onload=alert(1)")).toThrow(/Not a tag name/);
    expect(() => el("g", { "x onload": "1" })).toThrow(/Not an attribute name/);
  });

  it("rounds numeric attributes to hundredths and leaves out undefined ones", () => {
    expect(el("rect", { x: 1 / 3, y: Number.NaN, class: undefined }).html).toBe('<rect x="0.33" y="0"></rect>');
  });

  it("writes void HTML elements without a closing tag", () => {
    expect(el("meta", { charset: "utf-8" }).html).toBe('<meta charset="utf-8">');
    expect(join([trusted("<b>"), "&", trusted("</b>")]).html).toBe("<b>&amp;</b>");
  });
});

describe("scales", () => {
  it("maps a linear domain onto a range, inverted for a y axis", () => {
    const y = linearScale([0, 0.2], [300, 100]);
    expect(y(0)).toBe(300);
    expect(y(0.1)).toBeCloseTo(200, 9);
    expect(y(0.2)).toBe(100);
  });

  it("maps an empty domain to the middle of the range", () => {
    expect(linearScale([5, 5], [0, 100])(5)).toBe(50);
  });

  it("maps powers of ten evenly on a log scale and clamps zero to the bottom", () => {
    const y = logScale([1, 1000], [300, 0]);
    expect(y(1)).toBe(300);
    expect(y(10)).toBeCloseTo(200, 9);
    expect(y(100)).toBeCloseTo(100, 9);
    expect(y(0)).toBe(300);
  });
});

describe("ticks", () => {
  it.each([
    { min: 0, max: 1, count: 5, step: 0.2 },
    { min: 0, max: 24, count: 8, step: 2 },
    { min: 0, max: 0.153, count: 5, step: 0.02 },
    { min: 0, max: 592, count: 6, step: 100 },
  ])("picks a 1-2-5 step for [$min, $max] in about $count ticks: $step", ({ min, max, count, step }) => {
    expect(tickStep(min, max, count)).toBeCloseTo(step, 12);
  });

  it("lists round ticks inside the domain without floating-point dust", () => {
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0, 0.3, 3)).toEqual([0, 0.1, 0.2, 0.3]);
    expect(niceTicks(3, 3)).toEqual([3]);
  });

  it("rounds an axis maximum up to a round number that is itself a tick", () => {
    expect(niceMax(0.153)).toBe(0.2);
    expect(niceMax(592, 6)).toBe(600);
    expect(niceMax(0)).toBe(1);
    for (const max of [0.153, 0.0317, 7, 592, 12_345]) expect(niceTicks(0, niceMax(max)).at(-1)).toBe(niceMax(max));
  });

  it("lists powers of ten around a range for a log axis", () => {
    expect(logTicks(1, 2104)).toEqual([1, 10, 100, 1000, 10000]);
    expect(logTicks(1, 1)).toEqual([1]);
  });
});

describe("axes", () => {
  const count = (html: string, tag: string) => html.split(`<${tag}`).length - 1;

  it("draws a tick mark and a label per tick on a bottom axis, with grid lines when asked", () => {
    const axis = bottomAxis({
      scale: linearScale([0, 24], [0, 240]),
      ticks: [0, 12, 24],
      format: (h) => `${h} h`,
      at: 100,
      grid: [0, 100],
    });
    expect(count(axis.html, "text")).toBe(3);
    expect(count(axis.html, "line")).toBe(6);
    expect(axis.html).toContain(">12 h</text>");
  });

  it("labels a left axis at each tick's height", () => {
    const axis = leftAxis({ scale: linearScale([0, 1], [100, 0]), ticks: [0, 0.5, 1], format: String, at: 40 });
    expect(count(axis.html, "text")).toBe(3);
    expect(axis.html).toContain('<text x="34" y="54" text-anchor="end">0.5</text>');
  });
});
