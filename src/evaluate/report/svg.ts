/**
 * Small pieces for drawing the evaluation report by hand: markup that escapes every string it is
 * given, linear and log scales, "nice" axis ticks and the axes themselves. No DOM, no libraries:
 * the page is a string, so it renders the same in a test, a CI job and a browser offline.
 */

/**
 * Markup that is safe to place in HTML or SVG. Only `el`, `join` and `trusted` make it, so report text
 * reaches the page escaped unless code says otherwise.
 */
export interface Markup {
  readonly html: string;
}

export type AttrValue = string | number | undefined;
export type Attrs = Readonly<Record<string, AttrValue>>;
export type Child = Markup | string;

const ENTITIES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Text for an element's content or an attribute value, in HTML or SVG. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ENTITIES[char] ?? char);
}

/** Constant markup written in this code (a style sheet, a doctype): never report text. */
export function trusted(html: string): Markup {
  return { html };
}

export function join(parts: readonly Child[]): Markup {
  return { html: parts.map(childHtml).join("") };
}

const VOID = new Set(["meta", "br", "hr", "img", "col", "wbr"]);
const NAME = /^[a-zA-Z][\w:-]*$/;

/** A number short enough for an attribute: two decimals are finer than a pixel. */
export function coordinate(value: number): string {
  return Number.isFinite(value) ? String(Math.round(value * 100) / 100) : "0";
}

function attrHtml(name: string, value: AttrValue): string {
  if (value === undefined) return "";
  if (!NAME.test(name)) throw new Error(`Not an attribute name: ${JSON.stringify(name)}`);
  const text = typeof value === "number" ? coordinate(value) : value;
  return ` ${name}="${escapeXml(text)}"`;
}

function childHtml(child: Child): string {
  return typeof child === "string" ? escapeXml(child) : child.html;
}

/** An element; string children and every attribute value are escaped. */
export function el(tag: string, attrs: Attrs = {}, children: readonly Child[] = []): Markup {
  if (!NAME.test(tag)) throw new Error(`Not a tag name: ${JSON.stringify(tag)}`);
  const open = `<${tag}${Object.entries(attrs)
    .map(([name, value]) => attrHtml(name, value))
    .join("")}>`;
  if (VOID.has(tag)) return { html: open };
  return { html: `${open}${children.map(childHtml).join("")}</${tag}>` };
}

export type Scale = (value: number) => number;

/** Maps [d0, d1] onto [r0, r1]; a zero-width domain maps to the middle of the range. */
export function linearScale(domain: readonly [number, number], range: readonly [number, number]): Scale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0;
  return (value) => (span === 0 ? (r0 + r1) / 2 : r0 + ((value - d0) / span) * (r1 - r0));
}

/** Base-10 log scale; values at or below the domain's start (zero included) sit on it. */
export function logScale(domain: readonly [number, number], range: readonly [number, number]): Scale {
  const [d0, d1] = domain;
  const linear = linearScale([Math.log10(d0), Math.log10(d1)], range);
  return (value) => linear(Math.log10(Math.max(value, d0)));
}

/** The tick spacing d3 would pick: 1, 2 or 5 times a power of ten, giving about `count` ticks. */
export function tickStep(min: number, max: number, count: number): number {
  const raw = (max - min) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const error = raw / power;
  const factor = error >= Math.sqrt(50) ? 10 : error >= Math.sqrt(10) ? 5 : error >= Math.sqrt(2) ? 2 : 1;
  return factor * power;
}

/** Round numbers between min and max inclusive, about `count` of them. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min];
  const step = tickStep(min, max, count);
  const first = Math.ceil(min / step - 1e-9);
  const last = Math.floor(max / step + 1e-9);
  return Array.from({ length: last - first + 1 }, (_, i) => Number(((first + i) * step).toPrecision(12)));
}

/**
 * The first round number at or above `max` that is itself a tick of `niceTicks(0, it, count)`, so an
 * axis ends on a labelled tick (d3's `nice`); 1 when there is nothing to show.
 */
export function niceMax(max: number, count = 5): number {
  if (!(max > 0)) return 1;
  let end = max;
  for (let round = 0; round < 10; round++) {
    const step = tickStep(0, end, count);
    const next = Number((Math.ceil(end / step - 1e-9) * step).toPrecision(12));
    if (next === end) break;
    end = next;
  }
  return end;
}

/** Powers of ten from the one at or below `min` to the one at or above `max`. */
export function logTicks(min: number, max: number): number[] {
  const first = Math.floor(Math.log10(Math.max(min, Number.MIN_VALUE)));
  const last = Math.max(first, Math.ceil(Math.log10(Math.max(max, min))));
  return Array.from({ length: last - first + 1 }, (_, i) => 10 ** (first + i));
}

export interface AxisSpec {
  readonly scale: Scale;
  readonly ticks: readonly number[];
  readonly format: (value: number) => string;
  /** The y of a bottom axis, the x of a left one. */
  readonly at: number;
  /** Where grid lines run across the plot (the other coordinate's extent); none when absent. */
  readonly grid?: readonly [number, number];
}

export function bottomAxis(spec: AxisSpec): Markup {
  const ticks = spec.ticks.map((tick) => {
    const x = spec.scale(tick);
    const grid = spec.grid && el("line", { class: "grid", x1: x, x2: x, y1: spec.grid[0], y2: spec.grid[1] });
    return join([
      grid ?? "",
      el("line", { x1: x, x2: x, y1: spec.at, y2: spec.at + 4 }),
      el("text", { x, y: spec.at + 16, "text-anchor": "middle" }, [spec.format(tick)]),
    ]);
  });
  return el("g", { class: "axis" }, ticks);
}

export function leftAxis(spec: AxisSpec): Markup {
  const ticks = spec.ticks.map((tick) => {
    const y = spec.scale(tick);
    const grid = spec.grid && el("line", { class: "grid", x1: spec.grid[0], x2: spec.grid[1], y1: y, y2: y });
    return join([grid ?? "", el("text", { x: spec.at - 6, y: y + 4, "text-anchor": "end" }, [spec.format(tick)])]);
  });
  return el("g", { class: "axis" }, ticks);
}
