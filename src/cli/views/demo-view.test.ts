/**
 * The demo's frame and summary: golden files for how they look, and checks for what must hold at any
 * width — every line fits, hot nodes are marked in words, colour only when asked, verdicts read right.
 * Regenerate the golden files with `npx vitest run src/cli/views -u` and read the diff before committing.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { renderFrame, renderSummary, type DemoFrame, type DemoMigrationRow, type DemoSummary } from "./demo-view.ts";
import { stripAnsi, visibleWidth } from "./terminal-text.ts";

const GOLDEN = join(import.meta.dirname, "__golden__");
const ANSI = "\u001b[";

function buildFrame(apply?: (frame: DemoFrame) => void): DemoFrame {
  const frame: DemoFrame = {
    time: "2026-11-22T08:12:30.000Z",
    elapsedSeconds: 750,
    wallSeconds: 12.5,
    speed: 60,
    policy: "demo-balance",
    automation: "Automatic",
    imbalance: 0.214,
    target: 0.1,
    trigger: 0.15,
    nodes: Array.from({ length: 8 }, (_, index) => ({
      name: `node-0${index + 1}`,
      cpu: index < 2 ? 0.93 - index * 0.05 : 0.31 + index * 0.03,
      memory: index < 2 ? 0.71 : 0.4 + index * 0.02,
      hot: index < 2,
      inbound: [0, 0, 0, 0, 1, 2, 0, 0][index] ?? 0,
      outbound: [2, 1, 0, 0, 0, 0, 0, 0][index] ?? 0,
    })),
    migrations: [
      {
        vm: "shop/web-007",
        from: "node-01",
        to: "node-05",
        phase: "Running",
        progress: 0.62,
        reason: "imbalance 0.214 → 0.197: node-01 CPU 93% → 88%",
      },
      {
        vm: "shop/web-019",
        from: "node-01",
        to: "node-06",
        phase: "PreparingTarget",
        reason: "imbalance 0.197 → 0.183",
      },
      {
        vm: "analytics/batch-worker-017",
        from: "node-02",
        to: "node-06",
        phase: "Scheduling",
        progress: 0,
        reason: "imbalance 0.183 → 0.171",
      },
    ],
    counts: { planned: 12, started: 6, succeeded: 3, failed: 0 },
    imbalanceHistory: [0.31, 0.31, 0.3, 0.28, 0.27, 0.25, 0.24, 0.23, 0.214],
    recent: [
      "08:05 shop/web-003 node-01 → node-04: imbalance 0.31 → 0.28",
      "08:09 shop/web-011 node-02 → node-07: imbalance 0.28 → 0.25",
      "08:12 shop/web-007 node-01 → node-05: imbalance 0.25 → 0.21",
    ],
  };
  apply?.(frame);
  return frame;
}

function buildSummary(overrides: Partial<DemoSummary> = {}): DemoSummary {
  return {
    scenario: "demo",
    nodes: 8,
    vms: 120,
    imbalanceBefore: 0.312,
    imbalanceAfter: 0.071,
    target: 0.1,
    timeToTargetSeconds: 1710,
    migrations: { planned: 20, succeeded: 18, failed: 1, cancelled: 1 },
    bytesMoved: 41.3 * 2 ** 30,
    virtualSeconds: 3600,
    wallSeconds: 61.5,
    hotNodesBefore: ["node-01", "node-02"],
    hotNodesAfter: [],
    ...overrides,
  };
}

/** A frame that strains every column: long names, many rows, big numbers, long events. */
function crowdedFrame(): DemoFrame {
  return buildFrame((frame) => {
    frame.nodes = [
      ...frame.nodes,
      { name: "worker-with-a-very-long-host-name-17", cpu: 1.37, memory: 1.02, hot: true, inbound: 12, outbound: 11 },
    ];
    frame.migrations = Array.from({ length: 11 }, (_, index): DemoMigrationRow => ({
      vm: `analytics-production-namespace/batch-worker-with-a-long-name-${index}`,
      from: "worker-with-a-very-long-host-name-17",
      to: `node-0${(index % 8) + 1}`,
      phase: "PreparingTarget",
      progress: index / 10,
      reason: "imbalance 0.214 → 0.197 because the source is hot and the target has room ".repeat(3),
    }));
    frame.counts = { planned: 1234, started: 999, succeeded: 987, failed: 12 };
    frame.imbalanceHistory = Array.from({ length: 500 }, (_, index) => 0.4 - index / 2000);
    frame.recent = Array.from({ length: 12 }, (_, index) => `08:${10 + index} ${"x".repeat(300)}`);
    frame.policy = "a-policy-with-an-unusually-long-name-for-the-header";
  });
}

function linesOf(text: string): string[] {
  return text.split("\n");
}

function trendOf(frame: string): string {
  const line = linesOf(frame).find((candidate) => candidate.startsWith("trend"));
  if (line === undefined) throw new Error("no trend line in the frame");
  return /[▁▂▃▄▅▆▇█]+/.exec(line)?.[0] ?? "";
}

async function expectGolden(text: string, name: string): Promise<void> {
  const golden = join(GOLDEN, name);
  // toMatchFileSnapshot writes a missing file and passes; only `-u` may create one.
  if (expect.getState().snapshotState.snapshotUpdateState !== "all") {
    expect(existsSync(golden), `${golden} is missing: run \`npx vitest run src/cli/views -u\``).toBe(true);
  }
  await expect(`${text}\n`).toMatchFileSnapshot(golden);
}

describe("renderFrame", () => {
  it("draws the demo frame at 100 columns without colour as in its golden file", async () => {
    await expectGolden(renderFrame(buildFrame(), { columns: 100, color: false }), "demo-frame.100.txt");
  });

  it("draws a crowded frame at 60 columns as in its golden file", async () => {
    await expectGolden(renderFrame(crowdedFrame(), { columns: 60, color: false }), "demo-frame.crowded.60.txt");
  });

  it.each([
    [60, false],
    [80, false],
    [160, false],
    [60, true],
    [80, true],
    [160, true],
  ])("fits every line of a crowded frame in %i columns (colour %s)", (columns, color) => {
    const lines = linesOf(renderFrame(crowdedFrame(), { columns, color }));
    const tooWide = lines.filter((line) => visibleWidth(line) > columns);
    expect(tooWide).toEqual([]);
    expect(lines.length).toBeGreaterThan(20);
  });

  it("fits every line for any names, numbers and widths from 60 columns up", () => {
    const text = fc.string({ unit: "grapheme-composite", maxLength: 80 });
    const amount = fc.double({ min: -2, max: 20, noNaN: false });
    const node = fc.record({
      name: text,
      cpu: amount,
      memory: amount,
      hot: fc.boolean(),
      inbound: fc.nat(99),
      outbound: fc.nat(99),
    });
    const migration = fc.record({
      vm: text,
      from: text,
      to: text,
      phase: text,
      progress: amount,
      reason: text,
    });
    fc.assert(
      fc.property(
        fc.array(node, { maxLength: 12 }),
        fc.array(migration, { maxLength: 10 }),
        fc.array(text, { maxLength: 10 }),
        fc.array(amount, { maxLength: 300 }),
        fc.integer({ min: 60, max: 220 }),
        (nodes, migrations, recent, imbalanceHistory, columns) => {
          const frame = buildFrame((draft) => {
            Object.assign(draft, { nodes, migrations, recent, imbalanceHistory });
          });
          const lines = linesOf(renderFrame(frame, { columns, color: true }));
          expect(lines.filter((line) => visibleWidth(line) > columns)).toEqual([]);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("marks hot nodes, and only them, with HOT", () => {
    const lines = linesOf(renderFrame(buildFrame(), { columns: 80, color: false }));
    const rows = buildFrame().nodes.map((node) => {
      const row = lines.find((line) => line.startsWith(`${node.name} `));
      if (row === undefined) throw new Error(`no row for ${node.name}`);
      return { hot: node.hot, marked: /\bHOT\b/.test(row) };
    });
    expect(rows.filter((row) => row.hot)).toHaveLength(2);
    expect(rows.every((row) => row.hot === row.marked)).toBe(true);
  });

  it.each([
    ["without colour", false, false],
    ["with colour", true, true],
  ])("writes ANSI escapes only when asked: %s", (_, color, escapes) => {
    expect(renderFrame(crowdedFrame(), { columns: 100, color }).includes(ANSI)).toBe(escapes);
  });

  it("colours hot nodes red", () => {
    const frame = renderFrame(buildFrame(), { columns: 100, color: true });
    const row = linesOf(frame).find((line) => stripAnsi(line).startsWith("node-01 "));
    expect(row).toContain("\u001b[31m");
  });

  // The room is the width less "trend" and its padding (10) and the "  N passes" after the line.
  it.each([
    ["fewer passes than room", 9, 100, 9],
    ["as many passes as room", 78, 100, 78],
    ["more passes than room, at 100 columns", 500, 100, 78],
    ["more passes than room, at 60 columns", 500, 60, 38],
    ["more passes than room, at 160 columns", 500, 160, 138],
  ])("draws one sparkline bar per pass: %s", (_, passes, columns, bars) => {
    const frame = buildFrame((draft) => {
      draft.imbalanceHistory = Array.from({ length: passes }, (__, index) => 0.3 - index / 10_000);
    });
    expect([...trendOf(renderFrame(frame, { columns, color: false }))]).toHaveLength(bars);
  });

  it.each([
    ["under the target", 0.08, 0.1, 0.15, "target met"],
    ["at the target", 0.1, 0.1, 0.15, "target met"],
    ["between target and trigger", 0.12, 0.1, 0.15, "above target"],
    ["above the trigger", 0.214, 0.1, 0.15, "above trigger"],
    ["above a target with no trigger", 0.214, 0.1, null, "above target"],
    ["with no target", 0.214, null, null, "no target"],
    ["before the first measurement", Number.NaN, 0.1, 0.15, "not measured yet"],
  ])("says where the imbalance stands: %s", (_, imbalance, target, trigger, words) => {
    const frame = buildFrame((draft) => Object.assign(draft, { imbalance, target, trigger }));
    const line = linesOf(renderFrame(frame, { columns: 100, color: false })).find((l) => l.startsWith("imbalance"));
    expect(line?.endsWith(words)).toBe(true);
  });

  it("counts the migrations it has no room to list", () => {
    const frame = renderFrame(crowdedFrame(), { columns: 100, color: false });
    expect(frame).toContain("… and 3 more in flight");
  });

  it("says so when nothing is moving and nothing has happened", () => {
    const frame = buildFrame((draft) => Object.assign(draft, { migrations: [], recent: [], imbalanceHistory: [] }));
    const text = renderFrame(frame, { columns: 80, color: false });
    expect(text).toContain("no migrations in flight");
    expect(text).toContain("no passes yet");
    expect(text).toContain("recent: nothing yet");
  });

  it("prints numbers that are not numbers as marks, not NaN", () => {
    const frame = buildFrame((draft) => {
      draft.imbalance = Number.NaN;
      draft.nodes = [{ name: "node-01", cpu: Number.NaN, memory: Infinity, hot: false, inbound: 0, outbound: 0 }];
    });
    const text = renderFrame(frame, { columns: 80, color: false });
    expect(text).not.toContain("NaN");
    expect(text).toContain("imbalance —");
  });

  it("lays a terminal narrower than 60 columns out for 60", () => {
    const narrow = renderFrame(buildFrame(), { columns: 30, color: false });
    expect(narrow).toBe(renderFrame(buildFrame(), { columns: 60, color: false }));
  });

  it("rejects a width that is not a number, naming the option", () => {
    expect(() => renderFrame(buildFrame(), { columns: Number.NaN, color: false })).toThrow(/options\.columns/);
  });
});

describe("renderSummary", () => {
  it("writes the end summary as in its golden file", async () => {
    await expectGolden(renderSummary(buildSummary(), { color: false }), "demo-summary.txt");
  });

  it.each([
    ["met", buildSummary(), "0.312 → 0.071, target 0.100: met", "28m30s virtual"],
    [
      "not met, never reached",
      buildSummary({ imbalanceAfter: 0.14, timeToTargetSeconds: null }),
      "0.312 → 0.140, target 0.100: not met",
      "not reached in 1h",
    ],
    [
      "reached, then lost",
      buildSummary({ imbalanceAfter: 0.14, timeToTargetSeconds: 900 }),
      "0.312 → 0.140, target 0.100: not met",
      "15m virtual, but above it again at the end",
    ],
    [
      "met from the start",
      buildSummary({ imbalanceBefore: 0.05, imbalanceAfter: 0.04, timeToTargetSeconds: 0 }),
      "0.050 → 0.040, target 0.100: met",
      "already under target at the start",
    ],
    ["no target", buildSummary({ target: null, timeToTargetSeconds: null }), "0.312 → 0.071, no target set", "—"],
  ])("reads the target verdict right: %s", (_, summary, imbalance, timeToTarget) => {
    const lines = linesOf(renderSummary(summary, { color: false }));
    expect(lines.find((line) => line.startsWith("imbalance"))?.replace(/^imbalance\s+/, "")).toBe(imbalance);
    expect(lines.find((line) => line.startsWith("time to target"))?.replace(/^time to target\s+/, "")).toBe(
      timeToTarget,
    );
  });

  it.each([
    [
      "all finished",
      { planned: 20, succeeded: 18, failed: 1, cancelled: 1 },
      "18 succeeded, 1 failed, 1 cancelled of 20 planned",
    ],
    [
      "some unfinished",
      { planned: 20, succeeded: 10, failed: 0, cancelled: 0 },
      "10 succeeded, 0 failed, 0 cancelled of 20 planned, 10 not finished",
    ],
  ])("tallies the migrations: %s", (_, migrations, tally) => {
    expect(renderSummary(buildSummary({ migrations }), { color: false })).toContain(`migrations      ${tally}`);
  });

  it.each([
    ["without colour", false, false],
    ["with colour", true, true],
  ])("writes ANSI escapes only when asked: %s", (_, color, escapes) => {
    expect(renderSummary(buildSummary(), { color }).includes(ANSI)).toBe(escapes);
  });

  it("colours a missed target red", () => {
    const text = renderSummary(buildSummary({ imbalanceAfter: 0.2 }), { color: true });
    expect(text).toContain("\u001b[31mnot met\u001b[39m");
  });

  it("leaves out the speed-up when no wall time passed, and prints missing numbers as —", () => {
    const text = renderSummary(buildSummary({ wallSeconds: 0, bytesMoved: Number.NaN }), { color: false });
    expect(text).toContain("time            1h virtual in 0s wall\n");
    expect(text).toContain("bytes moved     —");
  });
});
