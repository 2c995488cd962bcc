/** Measuring, cutting and colouring terminal text: widths skip colour codes and cuts never overshoot. */
import { describe, expect, it } from "vitest";
import {
  fitLine,
  padEnd,
  padStart,
  palette,
  printable,
  stripAnsi,
  truncateEnd,
  truncateMiddle,
  visibleWidth,
} from "./terminal-text.ts";

const { red, bold } = palette(true);

describe("visibleWidth", () => {
  it.each([
    ["plain text", "node-01", 7],
    ["block characters, one column each", "██░░│▁▂", 7],
    ["colour codes take no room", red("node-01"), 7],
    ["nested colour", bold(red("HOT")), 3],
    ["a character outside the BMP counts once", "a😀b", 3],
    ["nothing", "", 0],
  ])("%s", (_, text, width) => {
    expect(visibleWidth(text)).toBe(width);
  });
});

describe("truncateEnd and truncateMiddle", () => {
  it.each([
    ["fits as it is", "shop/web-007", 12, "shop/web-007", "shop/web-007"],
    ["one too long", "shop/web-007", 11, "shop/web-0…", "shop/…b-007"],
    ["much too long", "analytics/batch-worker-017", 12, "analytics/b…", "analyt…r-017"],
    ["one column", "node-01", 1, "…", "…"],
    ["no room", "node-01", 0, "", ""],
  ])("%s", (_, text, width, end, middle) => {
    expect(truncateEnd(text, width)).toBe(end);
    expect(truncateMiddle(text, width)).toBe(middle);
    expect(visibleWidth(truncateMiddle(text, width))).toBeLessThanOrEqual(width);
  });

  it("shows control characters as � so a name cannot move the cursor", () => {
    expect(truncateEnd("evil\u001b[2Jname\n", 20)).toBe("evil�[2Jname�");
    expect(truncateMiddle("a\tb", 10)).toBe("a�b");
    expect(printable("plain")).toBe("plain");
  });
});

describe("fitLine", () => {
  it.each([
    ["a line that fits is unchanged", "node-01  HOT", 20, "node-01  HOT"],
    ["a plain line is cut with …", "0123456789", 6, "01234…"],
  ])("%s", (_, line, width, fitted) => {
    expect(fitLine(line, width)).toBe(fitted);
  });

  it("cuts a coloured line by what shows, and closes the colour it cut through", () => {
    const line = `${red("0123456789")}abc`;
    const fitted = fitLine(line, 6);
    expect(stripAnsi(fitted)).toBe("01234…");
    expect(fitted.endsWith("\u001b[0m…")).toBe(true);
  });
});

describe("padding", () => {
  it("pads by what shows, not by the colour codes", () => {
    expect(stripAnsi(padEnd(red("ab"), 5))).toBe("ab   ");
    expect(visibleWidth(padEnd(red("ab"), 5))).toBe(5);
    expect(padStart("7%", 4)).toBe("  7%");
    expect(padEnd("too long", 3)).toBe("too long");
  });
});

describe("palette", () => {
  it("returns text unchanged without colour and wrapped in ANSI codes with it", () => {
    expect(palette(false).red("x")).toBe("x");
    expect(palette(true).red("x")).toBe("\u001b[31mx\u001b[39m");
    expect(palette(true).green("")).toBe("");
  });
});
