/**
 * The demo's live terminal view: one full-screen frame per tick, drawn from data the demo driver gathers
 * from the twin and the controller. Pure rendering — no I/O, no clock — so a frame is a string a test
 * can compare with a golden file. Every line fits the terminal's width; colour is optional and the
 * frame reads the same without it (hot nodes say HOT, the target says met or not in words).
 */
import { meter, sparkline } from "./gauges.ts";
import { decimal3, duration, percent, times, wallClock } from "./demo-view-format.ts";
import {
  fitLine,
  padEnd,
  padStart,
  palette,
  printable,
  truncateEnd,
  truncateMiddle,
  visibleWidth,
  type Palette,
} from "./terminal-text.ts";

export { renderSummary, type DemoSummary } from "./demo-view-summary.ts";

export interface DemoNodeRow {
  name: string;
  /** Utilization 0..1; may exceed 1 on an overcommitted node. */
  cpu: number;
  memory: number;
  hot: boolean;
  /** Migrations in flight into and out of the node. */
  inbound: number;
  outbound: number;
}

export interface DemoMigrationRow {
  /** namespace/name */
  vm: string;
  from: string;
  to: string;
  phase: string;
  /** 0..1 when known. */
  progress?: number;
  reason: string;
}

export interface DemoFrame {
  /** Virtual time, ISO 8601. */
  time: string;
  elapsedSeconds: number;
  wallSeconds: number;
  speed: number;
  policy: string;
  automation: string;
  imbalance: number;
  target: number | null;
  trigger: number | null;
  nodes: readonly DemoNodeRow[];
  migrations: readonly DemoMigrationRow[];
  counts: { planned: number; started: number; succeeded: number; failed: number };
  /** One value per pass, oldest first. */
  imbalanceHistory: readonly number[];
  /** The last few controller events, newest last. */
  recent: readonly string[];
}

export interface FrameOptions {
  /** Terminal width; frames narrower than MIN_COLUMNS are laid out for MIN_COLUMNS. */
  columns: number;
  color: boolean;
}

export const MIN_COLUMNS = 60;
/** More rows than this would push the events off a laptop screen; the rest are counted. */
const MAX_MIGRATION_ROWS = 8;
const MAX_RECENT = 8;
const GAP = "  ";
const HOT = "HOT";
const NODE_MOVES_WIDTH = "MIGRATIONS".length;
const PERCENT_WIDTH = 5; // " 134%"

interface Context {
  readonly width: number;
  readonly paint: Palette;
}

export function renderFrame(frame: DemoFrame, options: FrameOptions): string {
  if (!Number.isFinite(options.columns)) {
    throw new TypeError(`renderFrame: options.columns must be a number of terminal columns, got ${options.columns}`);
  }
  const context: Context = { width: Math.max(MIN_COLUMNS, Math.floor(options.columns)), paint: palette(options.color) };
  const lines = [
    headerLine(frame, context),
    context.paint.dim("─".repeat(context.width)),
    ...nodeLines(frame.nodes, context),
    "",
    ...imbalanceLines(frame, context),
    "",
    countsLine(frame, context),
    ...migrationLines(frame.migrations, context),
    "",
    ...recentLines(frame.recent, context),
  ];
  return lines.map((line) => fitLine(line, context.width)).join("\n");
}

/**
 * Adds header segments in order of importance while they fit, so a narrow terminal keeps the time;
 * in a one-hour demo the date is the first thing to go.
 */
function headerLine(frame: DemoFrame, { width, paint }: Context): string {
  const segments = [
    paint.bold("kubedrs demo"),
    printable(wallClock(frame.time, width >= 80)),
    `+${duration(frame.elapsedSeconds)}`,
    `${times(frame.speed)} (${duration(frame.wallSeconds)} wall)`,
    printable(`policy ${frame.policy} (${frame.automation})`),
  ];
  let line = segments[0] ?? "";
  for (const segment of segments.slice(1)) {
    const next = `${line}${GAP}${segment}`;
    if (visibleWidth(next) > width) break;
    line = next;
  }
  return line;
}

interface NodeLayout {
  readonly name: number;
  readonly bar: number;
}

function nodeLayout(nodes: readonly DemoNodeRow[], width: number): NodeLayout {
  const longest = Math.max(4, ...nodes.map((node) => [...node.name].length));
  const name = Math.min(16, longest);
  const moves = Math.max(NODE_MOVES_WIDTH, ...nodes.map((node) => flows(node).length));
  const fixed = name + GAP.length * 4 + HOT.length + 2 * PERCENT_WIDTH + moves;
  const bar = Math.min(40, Math.max(4, Math.floor((width - fixed) / 2)));
  return { name, bar };
}

function mean(values: readonly number[]): number | undefined {
  const finite = values.filter((value) => Number.isFinite(value));
  return finite.length === 0 ? undefined : finite.reduce((sum, value) => sum + value, 0) / finite.length;
}

function nodeLines(nodes: readonly DemoNodeRow[], context: Context): string[] {
  if (nodes.length === 0) return [context.paint.dim("no nodes reported yet")];
  const layout = nodeLayout(nodes, context.width);
  const means = { cpu: mean(nodes.map((node) => node.cpu)), memory: mean(nodes.map((node) => node.memory)) };
  const header = [
    padEnd("NODE", layout.name),
    " ".repeat(HOT.length),
    padEnd("CPU", layout.bar + PERCENT_WIDTH),
    padEnd("MEMORY", layout.bar + PERCENT_WIDTH),
    "MIGRATIONS",
  ].join(GAP);
  const rows = nodes.map((node) => nodeRow(node, layout, means, context.paint));
  const hot = nodes.filter((node) => node.hot).length;
  const legend = `│ marks the cluster mean   ${hot} of ${nodes.length} nodes ${HOT}`;
  return [context.paint.dim(header), ...rows, context.paint.dim(legend)];
}

type Tint = (text: string) => string;

/** Red on a hot node or near full, yellow when getting busy, green otherwise. */
function loadTint(fraction: number, hot: boolean, paint: Palette): Tint {
  if (hot || fraction >= 0.9) return paint.red;
  return fraction >= 0.75 ? paint.yellow : paint.green;
}

function gauge(fraction: number, mark: number | undefined, bar: number, tint: Tint): string {
  return tint(`${meter(fraction, bar, mark)}${padStart(percent(fraction), PERCENT_WIDTH)}`);
}

function flows(node: DemoNodeRow): string {
  const parts = [node.outbound > 0 ? `${node.outbound} out` : "", node.inbound > 0 ? `${node.inbound} in` : ""];
  return parts.filter((part) => part !== "").join(" ");
}

function nodeRow(
  node: DemoNodeRow,
  layout: NodeLayout,
  means: { cpu: number | undefined; memory: number | undefined },
  paint: Palette,
): string {
  const name = padEnd(truncateMiddle(node.name, layout.name), layout.name);
  return [
    node.hot ? paint.bold(paint.red(name)) : name,
    node.hot ? paint.bold(paint.red(HOT)) : " ".repeat(HOT.length),
    gauge(node.cpu, means.cpu, layout.bar, loadTint(node.cpu, node.hot, paint)),
    gauge(node.memory, means.memory, layout.bar, loadTint(node.memory, node.hot, paint)),
    paint.cyan(flows(node)),
  ]
    .join(GAP)
    .trimEnd();
}

/** Where the imbalance stands against the policy's goal, in words that need no colour. */
function standing(frame: DemoFrame, paint: Palette): string {
  const { imbalance, target, trigger } = frame;
  if (!Number.isFinite(imbalance)) return paint.dim("not measured yet");
  if (target === null) return paint.dim("no target");
  if (imbalance <= target) return paint.green("target met");
  if (trigger !== null && imbalance > trigger) return paint.red("above trigger");
  return paint.yellow("above target");
}

function imbalanceLines(frame: DemoFrame, { width, paint }: Context): string[] {
  const parts = [
    `imbalance ${paint.bold(decimal3(frame.imbalance))}`,
    `target ${decimal3(frame.target)}`,
    ...(frame.trigger === null ? [] : [`trigger ${decimal3(frame.trigger)}`]),
    standing(frame, paint),
  ];
  // The sparkline's floor is the target when there is one, so reaching it reads as the lowest bar.
  const label = "trend     ";
  const history = frame.imbalanceHistory;
  const passes = `  ${history.length} passes`;
  const room = width - label.length - passes.length;
  const trend =
    history.length === 0
      ? paint.dim("no passes yet")
      : paint.cyan(sparkline(history, room, frame.target ?? undefined)) + paint.dim(passes);
  return [parts.join(GAP), `${label}${trend}`];
}

/** On a narrow terminal the label goes, so that every count still fits. */
function countsLine(frame: DemoFrame, { width, paint }: Context): string {
  const { planned, started, succeeded, failed } = frame.counts;
  const counts = [
    `${planned} planned`,
    `${started} started`,
    paint.green(`${succeeded} succeeded`),
    failed > 0 ? paint.red(`${failed} failed`) : `${failed} failed`,
    paint.cyan(`${frame.migrations.length} in flight`),
  ].join(", ");
  return width < 80 ? counts : `migrations: ${counts}`;
}

interface MigrationLayout {
  readonly vm: number;
  readonly node: number;
  readonly phase: number;
  readonly bar: number;
  /** 0 drops the column: on a narrow terminal the reason is in the recent events anyway. */
  readonly reason: number;
}

function longestOf(values: readonly string[], floor: number): number {
  return Math.max(floor, ...values.map((value) => [...value].length));
}

/** The reason column gets what the fixed columns leave, after the VM name takes up to 40 % of it. */
function migrationLayout(rows: readonly DemoMigrationRow[], width: number): MigrationLayout {
  const narrow = width < 80;
  const [nodeNames, phases, vms] = [
    rows.flatMap((row) => [row.from, row.to]),
    rows.map((row) => row.phase),
    rows.map((row) => row.vm),
  ];
  const node = Math.min(narrow ? 8 : 12, longestOf(nodeNames, 4));
  const phase = Math.min(narrow ? 10 : 15, longestOf(phases, "PHASE".length));
  const bar = width >= 100 ? 10 : narrow ? 4 : 8;
  const rest = width - (2 * node + 3) - phase - (bar + PERCENT_WIDTH) - 4 * GAP.length;
  const natural = longestOf(vms, 2);
  const vm = Math.min(natural, Math.max(16, Math.floor(rest * 0.4)));
  const reason = rest - vm - GAP.length;
  if (reason >= 12) return { vm, node, phase, bar, reason };
  return { vm: Math.max(4, Math.min(natural, rest)), node, phase, bar, reason: 0 };
}

function cell(text: string, width: number): string {
  return padEnd(truncateMiddle(text, width), width);
}

function migrationRow(row: DemoMigrationRow, layout: MigrationLayout, paint: Palette): string {
  const known = row.progress !== undefined && Number.isFinite(row.progress);
  const progress = known
    ? paint.cyan(`${meter(row.progress ?? 0, layout.bar)}${padStart(percent(row.progress ?? 0), PERCENT_WIDTH)}`)
    : paint.dim(`${meter(0, layout.bar)}${padStart("?", PERCENT_WIDTH)}`);
  const cells = [
    cell(row.vm, layout.vm),
    `${cell(row.from, layout.node)} → ${cell(row.to, layout.node)}`,
    padEnd(truncateEnd(row.phase, layout.phase), layout.phase),
    progress,
  ];
  if (layout.reason > 0) cells.push(truncateEnd(row.reason, layout.reason));
  return cells.join(GAP).trimEnd();
}

function migrationLines(rows: readonly DemoMigrationRow[], { width, paint }: Context): string[] {
  if (rows.length === 0) return [paint.dim("no migrations in flight")];
  const layout = migrationLayout(rows, width);
  const header = [
    padEnd("VM", layout.vm),
    padEnd("FROM", layout.node) + " → " + padEnd("TO", layout.node),
    padEnd("PHASE", layout.phase),
    padEnd("PROGRESS", layout.bar + PERCENT_WIDTH),
    ...(layout.reason > 0 ? ["REASON"] : []),
  ];
  const shown = rows.slice(0, MAX_MIGRATION_ROWS).map((row) => migrationRow(row, layout, paint));
  const more = rows.length - shown.length;
  return [
    paint.dim(header.join(GAP).trimEnd()),
    ...shown,
    ...(more > 0 ? [paint.dim(`… and ${more} more in flight`)] : []),
  ];
}

function recentLines(recent: readonly string[], { width, paint }: Context): string[] {
  if (recent.length === 0) return [paint.dim("recent: nothing yet")];
  const shown = recent.slice(-MAX_RECENT);
  return [paint.dim("recent"), ...shown.map((event) => `  ${truncateEnd(event, width - 2)}`)];
}
