/**
 * The trace-replay evaluation (issue 7): every strategy on every PlanetLab day, on the same cluster
 * and load, judged by the same metrics. Each (day, strategy) replay runs in its own process
 * (bench/replay-worker.ts), two at a time by default.
 *
 *   npm run bench -- replay [--days all|20110303,...] [--strategies none,...,kubedrs] [--jobs 2]
 *     [--scenario F] [--policies DIR] [--start packed|spread] [--accounting cloudsim|kubernetes]
 *     [--out DIR] [--write-docs] [--twin-check FILE]
 *
 * Writes report.json and report.html to --out (a fresh temporary directory by default), and each
 * replay's output under --out/runs/, which a later run with the same --out reuses (so a run with
 * other options needs another --out); with
 * --write-docs, also to docs/evaluation/ and the summary table into docs/EVALUATION.md. Prints the
 * summary (metrics per strategy, mean over days) and the goals as JSON. --twin-check adds the rows
 * of a `npm run bench -- twin-check` result (its JSON file) to the report.
 */
import { mkdir, mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { buildReport, STRATEGY_ORDER } from "../src/evaluate/report.ts";
import { summarize } from "../src/evaluate/report/summary.ts";
import type { HeatMap, ReplayReport, StrategyDayResult } from "../src/evaluate/report-types.ts";
import { renderReportHtml } from "../src/evaluate/report/html.ts";
import { renderEvaluationTable } from "../src/evaluate/report/markdown.ts";
import { DEFAULT_REPLAY_SCENARIO, loadDayScenario } from "../src/evaluate/scenario-day.ts";
import { accountingOption, scenarioFacts } from "../src/evaluate/workload.ts";
import { REPOSITORY_ROOT } from "../src/twin/scenario/library.ts";
import { tracesRoot } from "../src/twin/scenario/traces.ts";
import { pool } from "./pool.ts";
import { option } from "./args.ts";
import { runWorker } from "./worker-process.ts";

const WORKER = resolve(import.meta.dirname, "replay-worker.ts");
const DOCS_TABLE_START = "<!-- replay-table:start -->";
const DOCS_TABLE_END = "<!-- replay-table:end -->";

interface WorkerOutput {
  readonly result: StrategyDayResult;
  readonly heatMap: HeatMap;
}

/** One replay, or its saved output when an earlier run in the same --out directory finished it. */
async function replayOne(
  job: { day: string; strategy: string; out: string },
  passThrough: readonly string[],
): Promise<WorkerOutput> {
  const saved = join(job.out, "runs", `${job.day}-${job.strategy}.json`);
  const text = await readFile(saved, "utf8").catch(() => undefined);
  if (text !== undefined) return JSON.parse(text) as WorkerOutput;
  const stdout = await runWorker(WORKER, ["--day", job.day, "--strategy", job.strategy, ...passThrough]);
  await mkdir(join(job.out, "runs"), { recursive: true });
  await writeFile(saved, stdout);
  return JSON.parse(stdout) as WorkerOutput;
}

async function planetLabDays(): Promise<string[]> {
  const entries = await readdir(join(tracesRoot(process.env), "planetlab"), { withFileTypes: true });
  return entries
    .filter((entry) => entry.isDirectory() && /^\d{8}$/.test(entry.name))
    .map((entry) => entry.name)
    .sort();
}

function passThroughOptions(args: readonly string[]): string[] {
  return ["--scenario", "--policies", "--start", "--accounting", "--seed"].flatMap((name) => {
    const value = option(args, name);
    return value === undefined ? [] : [name, value];
  });
}

async function writeDocs(report: ReplayReport, html: string): Promise<void> {
  const directory = join(REPOSITORY_ROOT, "docs", "evaluation");
  await mkdir(directory, { recursive: true });
  await writeFile(join(directory, "report.json"), `${JSON.stringify(report)}\n`);
  await writeFile(join(directory, "report.html"), html);
  const file = join(REPOSITORY_ROOT, "docs", "EVALUATION.md");
  const text = await readFile(file, "utf8");
  const start = text.indexOf(DOCS_TABLE_START);
  const end = text.indexOf(DOCS_TABLE_END);
  if (start < 0 || end < start) throw new Error(`${file}: no ${DOCS_TABLE_START} … ${DOCS_TABLE_END} markers`);
  const table = `${DOCS_TABLE_START}\n${renderEvaluationTable(report)}\n${DOCS_TABLE_END}`;
  await writeFile(file, text.slice(0, start) + table + text.slice(end + DOCS_TABLE_END.length));
}

/** The day, hours and rows of a twin-check result file, for the report. */
async function twinCheckOf(file: string | undefined): Promise<Pick<ReplayReport, "twinCheck">> {
  if (file === undefined) return {};
  const { day, hours, rows } = JSON.parse(await readFile(file, "utf8")) as NonNullable<ReplayReport["twinCheck"]>;
  if (typeof day !== "string" || typeof hours !== "number" || !Array.isArray(rows))
    throw new Error(`${file}: not a twin-check result (npm run bench -- twin-check --out FILE)`);
  return { twinCheck: { day, hours, rows } };
}

export async function run(args: string[]): Promise<unknown> {
  const daysOption = option(args, "--days") ?? "all";
  const days = daysOption === "all" ? await planetLabDays() : daysOption.split(",");
  const strategies = (option(args, "--strategies") ?? STRATEGY_ORDER.join(",")).split(",");
  const parallel = Number(option(args, "--jobs") ?? String(Math.min(2, cpus().length)));
  const passThrough = passThroughOptions(args);
  const started = performance.now();
  const out = option(args, "--out") ?? (await mkdtemp(join(tmpdir(), "kubedrs-replay-")));
  const jobs = days.flatMap((day) =>
    strategies.map((strategy) => () => replayOne({ day, strategy, out }, passThrough)),
  );
  const outputs = await pool(jobs, parallel);
  const twinCheck = await twinCheckOf(option(args, "--twin-check"));
  const report: ReplayReport = {
    ...buildReport({
      results: outputs.map((output) => output.result),
      heatMaps: outputs.map((output) => output.heatMap),
      days,
      strategies,
      machine: { node: process.version, cpus: cpus().length },
      start: option(args, "--start") === "spread" ? "spread" : "packed",
      accounting: accountingOption(option(args, "--accounting")),
      generatedAt: new Date().toISOString(),
      scenario: scenarioFacts(
        await loadDayScenario(option(args, "--scenario") ?? DEFAULT_REPLAY_SCENARIO, days[0] ?? ""),
      ),
    }),
    ...twinCheck,
  };
  const html = renderReportHtml(report);
  await writeFile(join(out, "report.json"), `${JSON.stringify(report)}\n`);
  await writeFile(join(out, "report.html"), html);
  if (args.includes("--write-docs")) await writeDocs(report, html);
  return {
    benchmark: "replay",
    node: process.version,
    wallSeconds: Math.round((performance.now() - started) / 1000),
    out,
    days,
    summary: summarize(report),
    goals: report.goals,
  };
}
