/**
 * Text for a terminal: measure what a line will occupy, cut it to fit, and colour it.
 *
 * Widths count code points and skip ANSI escapes, because the views draw with box and block
 * characters (█ ░ ▁ → …) that take one column each; East Asian wide characters are not expected
 * in Kubernetes names. Colour is a palette chosen once per render, so the drawing code never
 * branches on whether colour is on.
 */

// Matching the escape character is the point of these two patterns: they find the colour codes.
// eslint-disable-next-line no-control-regex
const ANSI_ESCAPE = /\u001b\[[0-9;]*m/g;
// eslint-disable-next-line no-control-regex
const ANSI_AT_START = /^\u001b\[[0-9;]*m/;
const RESET = "\u001b[0m";
const ELLIPSIS = "…";

export function stripAnsi(text: string): string {
  return text.replace(ANSI_ESCAPE, "");
}

/** Columns the text occupies on a terminal. */
export function visibleWidth(text: string): number {
  let width = 0;
  for (const _ of stripAnsi(text)) width += 1;
  return width;
}

/** Pads with spaces to `width` columns; text already as wide or wider is returned as it is. */
export function padEnd(text: string, width: number): string {
  return text + " ".repeat(Math.max(0, width - visibleWidth(text)));
}

export function padStart(text: string, width: number): string {
  return " ".repeat(Math.max(0, width - visibleWidth(text))) + text;
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/**
 * Text from the cluster with its control characters shown as "�": a name or event carrying an escape
 * or a newline would otherwise move the cursor and break the frame's layout.
 */
export function printable(text: string): string {
  return text.replace(CONTROL, "�");
}

/** Cuts text to `width` columns, ending in "…" when something was cut; control characters show as "�". */
export function truncateEnd(text: string, width: number): string {
  const chars = [...printable(text)];
  if (chars.length <= width) return chars.join("");
  if (width <= 0) return "";
  return chars.slice(0, width - 1).join("") + ELLIPSIS;
}

/**
 * Cuts text to `width` columns by dropping its middle, so "analytics/batch-worker-017" keeps both its
 * namespace and the numbered suffix that tells it from its siblings. Control characters show as "�".
 */
export function truncateMiddle(text: string, width: number): string {
  const chars = [...printable(text)];
  if (chars.length <= width) return chars.join("");
  if (width <= 1) return truncateEnd(text, width);
  const tail = Math.floor((width - 1) / 2);
  const head = width - 1 - tail;
  return chars.slice(0, head).join("") + ELLIPSIS + chars.slice(chars.length - tail).join("");
}

/** Cuts a line that may carry ANSI colour to `width` columns, closing any colour it cut through. */
export function fitLine(line: string, width: number): string {
  if (visibleWidth(line) <= width) return line;
  let out = "";
  let used = 0;
  let rest = line;
  let coloured = false;
  while (rest.length > 0 && used < width - 1) {
    const escape = ANSI_AT_START.exec(rest)?.[0];
    if (escape !== undefined) {
      out += escape;
      coloured = true;
      rest = rest.slice(escape.length);
      continue;
    }
    const char = String.fromCodePoint(rest.codePointAt(0) ?? 0);
    out += char;
    used += 1;
    rest = rest.slice(char.length);
  }
  return out + (coloured ? RESET : "") + (width > 0 ? ELLIPSIS : "");
}

/** The styles the views use; each wraps text in its ANSI codes, or returns it unchanged without colour. */
export interface Palette {
  readonly bold: (text: string) => string;
  readonly dim: (text: string) => string;
  readonly red: (text: string) => string;
  readonly yellow: (text: string) => string;
  readonly green: (text: string) => string;
  readonly cyan: (text: string) => string;
}

function style(open: number, close: number): (text: string) => string {
  return (text) => (text === "" ? text : `\u001b[${open}m${text}\u001b[${close}m`);
}

const plain = (text: string): string => text;

export function palette(color: boolean): Palette {
  if (!color) return { bold: plain, dim: plain, red: plain, yellow: plain, green: plain, cyan: plain };
  return {
    bold: style(1, 22),
    dim: style(2, 22),
    red: style(31, 39),
    yellow: style(33, 39),
    green: style(32, 39),
    cyan: style(36, 39),
  };
}
