/**
 * The report page drawn by a real browser: headless Chromium (Debian's, at /usr/bin/chromium) loads
 * the page with no network, and the test checks that it draws: no errors, every chart has a size,
 * one line per strategy, the bars and heat map cells that the data calls for, and a screenshot with
 * more than one colour in it. Set KUBEDRS_REPORT_SCREENSHOT=/tmp/kubedrs-report.png to keep the
 * screenshot.
 */
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { type Browser, type Locator, type Page, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SAMPLE_DAYS, SAMPLE_STRATEGIES, STEPS_PER_DAY, sampleReport } from "./fixture.ts";
import { renderReportHtml } from "./html.ts";
import { migrationBins } from "./summary.ts";
import { SUMMARY_COLUMNS } from "./table.ts";

const CHROMIUM = "/usr/bin/chromium";
const available = existsSync(CHROMIUM);
const required = process.env.KUBEDRS_REQUIRE_CHROMIUM === "1";
const INSTALL = "apt-get update && apt-get install -y --no-install-recommends chromium";

const LAUNCH_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

describe.runIf(!available && required)("the report page in headless Chromium (required)", () => {
  it("needs Debian's chromium", () => {
    throw new Error(
      `KUBEDRS_REQUIRE_CHROMIUM=1 but ${CHROMIUM} is missing: install Debian's chromium (${INSTALL}), or unset KUBEDRS_REQUIRE_CHROMIUM to skip this test.`,
    );
  });
});

/** Run in a blank page: decode a PNG into a canvas and measure how much its pixels vary. */
const PIXEL_STATS = `async (base64) => {
  const image = new Image();
  image.src = "data:image/png;base64," + base64;
  await image.decode();
  const canvas = document.createElement("canvas");
  canvas.width = image.width;
  canvas.height = image.height;
  const context = canvas.getContext("2d");
  context.drawImage(image, 0, 0);
  const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
  const colours = new Set();
  let sum = 0, squares = 0, n = 0;
  for (let i = 0; i < data.length; i += 4 * 3) {
    const grey = (data[i] + data[i + 1] + data[i + 2]) / 3;
    sum += grey; squares += grey * grey; n += 1;
    colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
  }
  const mean = sum / n;
  return { width: canvas.width, height: canvas.height, variance: squares / n - mean * mean, colours: colours.size };
}`;

/** Without the DOM's types (the project's lib is ES only), read attributes through the locator API. */
async function attributes(locator: Locator, name: string): Promise<(string | null)[]> {
  return Promise.all((await locator.all()).map((element) => element.getAttribute(name)));
}

interface PixelStats {
  readonly width: number;
  readonly height: number;
  readonly variance: number;
  readonly colours: number;
}

const skipReason = available
  ? ""
  : ` (skipped: ${CHROMIUM} is missing; install Debian's chromium with ${INSTALL}, or set KUBEDRS_REQUIRE_CHROMIUM=1 to fail instead)`;

describe.skipIf(!available)(`the report page in headless Chromium${skipReason}`, () => {
  const report = sampleReport();
  const html = renderReportHtml(report);
  const problems: string[] = [];
  const requests: string[] = [];
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on("console", (message) => {
      if (message.type() === "error" || message.type() === "warning") problems.push(`console: ${message.text()}`);
    });
    page.on("pageerror", (error) => problems.push(`page: ${error.message}`));
    page.on("request", (request) => requests.push(request.url()));
    await page.setContent(html, { waitUntil: "load" });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  it("loads without errors and asks the network for nothing", () => {
    expect(problems).toEqual([]);
    expect(requests.filter((url) => !url.startsWith("data:"))).toEqual([]);
  });

  it("gives every chart a size on the page", async () => {
    const charts = await page.locator("svg.chart").all();
    // imbalance, one per day, overload, migrations, distribution, the heat legend, one heat map per strategy
    expect(charts).toHaveLength(1 + SAMPLE_DAYS.length + 3 + 1 + SAMPLE_STRATEGIES.length);
    for (const chart of charts) {
      const box = await chart.boundingBox();
      expect(box?.width ?? 0).toBeGreaterThan(100);
      expect(box?.height ?? 0).toBeGreaterThan(20);
    }
  });

  it("draws one imbalance line per strategy through every step of the day", async () => {
    const lines = page.locator('svg[data-chart="imbalance"] path.series');
    expect(await lines.count()).toBe(SAMPLE_STRATEGIES.length);
    for (const line of await lines.all()) {
      const d = (await line.getAttribute("d")) ?? "";
      expect(d).toMatch(/^M[\d.]+,[\d.]+L/);
      expect(d.split("L")).toHaveLength(STEPS_PER_DAY);
      const box = await line.boundingBox();
      expect(box?.width ?? 0).toBeGreaterThan(100);
    }
    expect(new Set(await attributes(lines, "data-strategy"))).toEqual(new Set(SAMPLE_STRATEGIES));
  });

  it("draws one line per strategy in each day's small multiple", async () => {
    for (const day of SAMPLE_DAYS) {
      expect(await page.locator(`svg[data-chart="imbalance-${day}"] path.series`).count()).toBe(
        SAMPLE_STRATEGIES.length,
      );
    }
  });

  it("draws the bars the data calls for", async () => {
    const count = (chart: string) => page.locator(`svg[data-chart="${chart}"] rect.bar`).count();
    const maxPerVm = Math.max(...report.results.map((result) => result.vmsByMigrations.length - 1));
    expect(await count("overload")).toBe(2 * SAMPLE_STRATEGIES.length);
    expect(await count("migrations")).toBe(SAMPLE_STRATEGIES.length);
    expect(await count("distribution")).toBe(migrationBins(maxPerVm).length * SAMPLE_STRATEGIES.length);
    const bars = await page.locator('svg[data-chart="migrations"] rect.bar').all();
    const widths = await Promise.all(bars.map(async (bar) => (await bar.boundingBox())?.width ?? 0));
    expect(widths.filter((width) => width > 1)).toHaveLength(SAMPLE_STRATEGIES.length - 1); // "none" moves nothing
  });

  it("draws every heat map cell, kubedrs first beside the least overloaded baseline", async () => {
    const cells = page.locator('svg[data-chart^="heat-"] rect.cell');
    expect(await cells.count()).toBe(SAMPLE_STRATEGIES.length * 10 * 24);
    const maps = await attributes(
      page.locator('svg[data-chart^="heat-"]:not([data-chart="heat-legend"])'),
      "data-chart",
    );
    expect(maps[0]).toBe(`heat-kubedrs-${SAMPLE_DAYS[0]}`);
    expect(maps[1]).toBe(`heat-drs-greedy-${SAMPLE_DAYS[0]}`);
  });

  it("shows the summary table and says which goals were not met", async () => {
    const summary = page.locator('table[data-table="summary"]');
    expect(await summary.locator("tbody tr").count()).toBe(SUMMARY_COLUMNS.length);
    expect(await summary.locator("thead th").allTextContents()).toEqual(["Metric", ...SAMPLE_STRATEGIES]);
    expect(await page.locator(".goals .badge.unmet").allTextContents()).toEqual(["not met"]);
    expect(await page.locator('table[data-table="twin"] tbody tr').count()).toBe(2);
  });

  it("paints a page with more than one colour on it", async () => {
    const png = await page.screenshot({ fullPage: true, type: "png" });
    const target = process.env.KUBEDRS_REPORT_SCREENSHOT;
    if (target) await writeFile(target, png);
    expect(png.byteLength).toBeGreaterThan(50_000);
    const probe = await browser.newPage();
    const stats = await probe.evaluate<PixelStats>(`(${PIXEL_STATS})(${JSON.stringify(png.toString("base64"))})`);
    await probe.close();
    expect(stats.width).toBe(1280);
    expect(stats.height).toBeGreaterThan(2000);
    expect(stats.variance).toBeGreaterThan(50);
    expect(stats.colours).toBeGreaterThan(100);
  });
});
