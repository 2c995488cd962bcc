/**
 * The demo's end summary: a short block of labelled lines an admin can paste into a ticket — how far the
 * imbalance fell and whether it met the target, how long that took, what the migrations cost, and which
 * nodes were hot before and after. Pure rendering; the verdicts are words, so the block reads the same
 * without colour.
 */
import { bytes, decimal3, duration, MISSING, times } from "./demo-view-format.ts";
import { padEnd, palette, printable, type Palette } from "./terminal-text.ts";

export interface DemoSummary {
  scenario: string;
  nodes: number;
  vms: number;
  imbalanceBefore: number;
  imbalanceAfter: number;
  target: number | null;
  /** Virtual seconds until the imbalance first fell below the target; null when it never did. */
  timeToTargetSeconds: number | null;
  migrations: { planned: number; succeeded: number; failed: number; cancelled: number };
  bytesMoved: number;
  virtualSeconds: number;
  wallSeconds: number;
  hotNodesBefore: readonly string[];
  hotNodesAfter: readonly string[];
}

export interface SummaryOptions {
  color: boolean;
}

type Row = readonly [label: string, value: string];

export function renderSummary(summary: DemoSummary, options: SummaryOptions): string {
  const paint = palette(options.color);
  const rows: Row[] = [
    ["imbalance", imbalanceVerdict(summary, paint)],
    ["time to target", timeToTarget(summary)],
    ["migrations", migrationTally(summary, paint)],
    ["bytes moved", bytes(summary.bytesMoved)],
    ["time", timeTaken(summary)],
    ["hot before", nodeList(summary.hotNodesBefore, paint)],
    ["hot after", nodeList(summary.hotNodesAfter, paint)],
  ];
  const labelWidth = Math.max(...rows.map(([label]) => label.length)) + 2;
  const title = printable(`kubedrs demo: scenario ${summary.scenario}, ${summary.nodes} nodes, ${summary.vms} VMs`);
  return [paint.bold(title), ...rows.map(([label, value]) => `${padEnd(label, labelWidth)}${value}`)].join("\n");
}

/** Met when the imbalance ended at or under the target, the same test the live frame uses. */
export function targetMet(summary: Pick<DemoSummary, "imbalanceAfter" | "target">): boolean | null {
  if (summary.target === null || !Number.isFinite(summary.imbalanceAfter)) return null;
  return summary.imbalanceAfter <= summary.target;
}

function imbalanceVerdict(summary: DemoSummary, paint: Palette): string {
  const change = `${decimal3(summary.imbalanceBefore)} → ${decimal3(summary.imbalanceAfter)}`;
  const met = targetMet(summary);
  if (met === null) return `${change}, no target set`;
  const verdict = met ? paint.green("met") : paint.red("not met");
  return `${change}, target ${decimal3(summary.target)}: ${verdict}`;
}

function timeToTarget(summary: DemoSummary): string {
  const { target, imbalanceBefore, timeToTargetSeconds } = summary;
  if (target === null) return MISSING;
  if (imbalanceBefore <= target) return "already under target at the start";
  if (timeToTargetSeconds === null) return `not reached in ${duration(summary.virtualSeconds)}`;
  const reached = `${duration(timeToTargetSeconds)} virtual`;
  return targetMet(summary) === false ? `${reached}, but above it again at the end` : reached;
}

function migrationTally(summary: DemoSummary, paint: Palette): string {
  const { planned, succeeded, failed, cancelled } = summary.migrations;
  const unfinished = planned - succeeded - failed - cancelled;
  return [
    `${succeeded} succeeded`,
    failed > 0 ? paint.red(`${failed} failed`) : `${failed} failed`,
    `${cancelled} cancelled of ${planned} planned`,
    ...(unfinished > 0 ? [`${unfinished} not finished`] : []),
  ].join(", ");
}

function timeTaken(summary: DemoSummary): string {
  const taken = `${duration(summary.virtualSeconds)} virtual in ${duration(summary.wallSeconds)} wall`;
  return summary.wallSeconds > 0
    ? `${taken} (${times(summary.virtualSeconds / summary.wallSeconds)} real time)`
    : taken;
}

function nodeList(names: readonly string[], paint: Palette): string {
  return names.length === 0 ? paint.green("none") : paint.yellow(printable(names.join(", ")));
}
