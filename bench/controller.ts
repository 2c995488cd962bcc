/**
 * The controller-overhead benchmark: `kubedrs run` against a twin of 1,000 nodes / 30,000 VMIs
 * (scale-1k), each in its own process, the controller measured from outside through /proc as an
 * operator's monitoring would see it. Issue target: between passes, RSS ≤ 400 MiB and CPU ≤ 5% of
 * one core.
 *
 *   npm run bench -- controller [--scenario scale-1k] [--window 60] [--settle 5] [--warmup 660]
 *     [--no-breakdown] [--memory-target 350Mi|none] [--controller-node-flags "--optimize-for-size ..."]
 *
 * The controller runs as the Deployment runs it: its `--memory-target` (deploy/deployment.yaml)
 * unless --memory-target says otherwise (`none`: no target).
 * The twin runs at speed 1 so virtual time is wall time: usage samples come every 30 s as on a real
 * cluster, nodes renew their leases, VMIs report. The policy set (bench/controller-policies/) is
 * one BalancePolicy in Recommend mode whose cron fires daily, so the only passes are those the
 * controller runs as it starts and nothing migrates. Figures: seconds from the controller's start
 * to its cache synced and to its first pass planned, plan time (the /metrics histogram's mean over
 * the passes it counted when read, `planSecondsOverPasses`),
 * then CPU and RSS over a window that opens once no pass has been planned for `--settle` seconds
 * (a controller may run more than one pass as it starts) and the controller has run `--warmup`
 * seconds: its usage history grows its rings until they hold the policy's whole window (600 s by
 * default), so memory measured sooner is memory a running controller has outgrown. Then, unless
 * --no-breakdown, the controller is stopped and bench/controller-memory.ts runs one in-process
 * against the same twin to say where the memory goes (V8 heap, native memory, and the heap each
 * cached resource costs), after its first pass: before the history is full.
 */
import { type ChildProcess, execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import {
  CONTROLLER_STEP_LIMIT_MS,
  ControllerLog,
  killOnInterrupt,
  NODE_FLAGS,
  spawnGroup,
  spawnController,
  stopGroup,
} from "./kubedrs-process.ts";
import { clockTicksPerSecond, cpuTicks, listeningPorts, memoryOf } from "./proc.ts";
import { deploymentFlag } from "../scripts/deployment-args.ts";
import { option, round } from "./args.ts";

const POLICIES = resolve(import.meta.dirname, "controller-policies");
const MEMORY_WORKER = resolve(import.meta.dirname, "controller-memory.ts");
const execFileAsync = promisify(execFile);
const TWIN_BOOT_LIMIT_MS = 10 * 60_000;
const TARGETS = { rssMiB: 400, cpuPercent: 5 } as const;
/** BalancePolicy's default metrics window (600 s) and a minute more, so the usage history is full. */
const DEFAULT_WARMUP_SECONDS = 660;
const PASS_PLANNED = "balance pass planned";
const CACHE_SYNCED = "cache synced";

/** The twin writes its kubeconfig (renamed into place) once it serves. */
async function waitForKubeconfig(twin: ChildProcess, path: string): Promise<void> {
  const deadline = performance.now() + TWIN_BOOT_LIMIT_MS;
  while (!existsSync(path)) {
    if (twin.exitCode !== null) throw new Error(`the twin exited with ${twin.exitCode} before serving`);
    if (performance.now() > deadline) throw new Error("the twin did not serve within 10 minutes");
    await sleep(100);
  }
}

/** One sample from a Prometheus text exposition, e.g. `kubedrs_plan_duration_seconds_sum`. */
function metricValue(text: string, series: string): number | undefined {
  const line = text.split("\n").find((row) => row.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/**
 * Plan time from the controller's /metrics: the histogram's sum over its count, which is the first
 * pass's own time when read before a second pass. The health server listens on the port the OS
 * picked (`--port 0`), which the log does not name.
 */
async function passMetrics(pid: number): Promise<{ planSeconds: number; passes: number }> {
  const [port] = await listeningPorts(pid);
  if (port === undefined) throw new Error(`the controller (pid ${pid}) listens on no TCP port`);
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  if (!response.ok) throw new Error(`GET :${port}/metrics: ${response.status}`);
  const text = await response.text();
  const sum = metricValue(text, "kubedrs_plan_duration_seconds_sum");
  const passes = metricValue(text, "kubedrs_plan_duration_seconds_count");
  if (sum === undefined || passes === undefined || passes === 0)
    throw new Error(`:${port}/metrics has no kubedrs_plan_duration_seconds observation`);
  return { planSeconds: round(sum / passes, 3), passes };
}

interface Reading {
  readonly atMs: number;
  readonly controllerTicks: number;
  readonly twinTicks: number;
  readonly rssMiB: number;
}

async function read(controller: number, twin: number): Promise<Reading> {
  const [controllerTicks, twinTicks, memory] = await Promise.all([
    cpuTicks(controller),
    cpuTicks(twin),
    memoryOf(controller),
  ]);
  return { atMs: performance.now(), controllerTicks, twinTicks, rssMiB: memory.rssMiB };
}

/** CPU used between two readings, as a percentage of one core. */
function cpuPercent(
  from: Reading,
  to: Reading,
  ticksPerSecond: number,
  which: "controllerTicks" | "twinTicks",
): number {
  const cpuSeconds = (to[which] - from[which]) / ticksPerSecond;
  return round((cpuSeconds / ((to.atMs - from.atMs) / 1000)) * 100, 2);
}

/** Every second for `seconds`; CPU over the whole window and per 10 s, RSS at the end and its range. */
async function measureWindow(pids: { controller: number; twin: number }, seconds: number) {
  const ticksPerSecond = await clockTicksPerSecond();
  const readings = [await read(pids.controller, pids.twin)];
  for (let second = 1; second <= seconds; second += 1) {
    await sleep(Math.max(0, (readings[0]?.atMs ?? 0) + second * 1000 - performance.now()));
    readings.push(await read(pids.controller, pids.twin));
  }
  const first = readings[0] as Reading;
  const last = readings.at(-1) as Reading;
  const per10s = [];
  for (let index = 10; index < readings.length; index += 10)
    per10s.push(
      cpuPercent(readings[index - 10] as Reading, readings[index] as Reading, ticksPerSecond, "controllerTicks"),
    );
  const rss = readings.map((reading) => reading.rssMiB);
  return {
    windowSeconds: round((last.atMs - first.atMs) / 1000, 1),
    cpuPercentOfOneCore: cpuPercent(first, last, ticksPerSecond, "controllerTicks"),
    cpuPercentPer10s: per10s,
    rssMiB: last.rssMiB,
    rssMiBRange: [Math.min(...rss), Math.max(...rss)],
    twinCpuPercentOfOneCore: cpuPercent(first, last, ticksPerSecond, "twinTicks"),
  };
}

interface Settings {
  readonly scenario: string;
  readonly windowSeconds: number;
  readonly settleSeconds: number;
  /** Seconds from the controller's start before the window may open. */
  readonly warmupSeconds: number;
  readonly breakdown: boolean;
  /** Extra Node.js/V8 flags for the controller only, to compare (e.g. "--optimize-for-size"). */
  readonly controllerNodeFlags: readonly string[];
  /** `kubedrs run --memory-target`, when set (e.g. "350Mi"). */
  readonly memoryTarget: string | undefined;
  readonly directory: string;
}

/** `kubedrs twin` at speed 1, once it serves: the process and how long it took to boot. */
async function startTwin(settings: Settings, kubeconfig: string): Promise<{ twin: ChildProcess; bootSeconds: number }> {
  const started = performance.now();
  const twin = spawnGroup(
    ["twin", "--scenario", settings.scenario, "--speed", "1", "--port", "0", "--kubeconfig", kubeconfig],
    "ignore",
  );
  try {
    await waitForKubeconfig(twin, kubeconfig);
  } catch (error) {
    await stopGroup(twin);
    throw error;
  }
  return { twin, bootSeconds: round((performance.now() - started) / 1000, 1) };
}

/** `kubedrs run` on the twin's clock, with the memory target being measured. */
function startController(kubeconfig: string, settings: Settings): ChildProcess {
  const target = settings.memoryTarget === undefined ? [] : ["--memory-target", settings.memoryTarget];
  return spawnController(kubeconfig, POLICIES, target, settings.controllerNodeFlags);
}

async function measureController(settings: Settings, twin: ChildProcess, controller: ChildProcess) {
  const log = new ControllerLog(controller.stdout as Readable, performance.now());
  const synced = await log.waitFor(CACHE_SYNCED, controller);
  const pass = await log.waitFor(PASS_PLANNED, controller);
  const metrics = await passMetrics(controller.pid ?? 0);
  // A controller may run more than one pass as it starts.
  await log.quiet(settings.settleSeconds * 1000, PASS_PLANNED);
  await sleep(Math.max(0, settings.warmupSeconds * 1000 - log.sinceStartMs()));
  const startupPasses = log.count(PASS_PLANNED);
  const windowOpened = log.sinceStartMs();
  const steady = await measureWindow({ controller: controller.pid ?? 0, twin: twin.pid ?? 0 }, settings.windowSeconds);
  const { peakRssMiB } = await memoryOf(controller.pid ?? 0);
  return {
    nodes: synced.fields.nodes,
    vmis: synced.fields.vmis,
    syncSeconds: round(synced.atMs / 1000, 1),
    firstPassSeconds: round(pass.atMs / 1000, 1),
    planSeconds: metrics.planSeconds,
    planSecondsOverPasses: metrics.passes,
    firstPass: { imbalance: pass.fields.imbalance, recommend: pass.fields.recommend, execute: pass.fields.execute },
    startupPasses,
    steady: {
      settleSeconds: settings.settleSeconds,
      warmupSeconds: settings.warmupSeconds,
      ...steady,
      passes: log.count(PASS_PLANNED, windowOpened),
    },
    peakRssMiB,
    targets: TARGETS,
    met: {
      rss: steady.rssMiB <= TARGETS.rssMiB,
      peakRss: peakRssMiB <= TARGETS.rssMiB,
      cpu: steady.cpuPercentOfOneCore <= TARGETS.cpuPercent,
    },
    controllerWarnings: log.problems(),
  };
}

/** bench/controller-memory.ts against the running twin, in a process of its own. */
async function memoryBreakdown(kubeconfig: string, nodeFlags: readonly string[]): Promise<unknown> {
  const { stdout } = await execFileAsync(
    process.execPath,
    [...NODE_FLAGS, ...nodeFlags, MEMORY_WORKER, kubeconfig, POLICIES],
    { maxBuffer: 2 ** 20, timeout: CONTROLLER_STEP_LIMIT_MS },
  );
  return JSON.parse(stdout) as unknown;
}

async function measure(settings: Settings, children: ChildProcess[]): Promise<object> {
  const kubeconfig = join(settings.directory, "kubeconfig");
  const { twin, bootSeconds } = await startTwin(settings, kubeconfig);
  children.push(twin);
  const controller = startController(kubeconfig, settings);
  children.push(controller);
  const measured = await measureController(settings, twin, controller);
  await stopGroup(controller);
  const breakdown = settings.breakdown ? await memoryBreakdown(kubeconfig, settings.controllerNodeFlags) : undefined;
  return {
    twinBootSeconds: bootSeconds,
    ...measured,
    breakdown,
    twin: { rssMiB: (await memoryOf(twin.pid ?? 0)).rssMiB },
  };
}

/** The --memory-target to run with: the Deployment's by default, none for `none`. */
function memoryTargetOf(value: string | undefined): string | undefined {
  if (value === "none") return undefined;
  return value ?? deploymentFlag("--memory-target");
}

export async function run(args: string[]): Promise<unknown> {
  const directory = await mkdtemp(join(tmpdir(), "kubedrs-bench-controller-"));
  const settings: Settings = {
    scenario: option(args, "--scenario") ?? "scale-1k",
    windowSeconds: Number(option(args, "--window") ?? "60"),
    settleSeconds: Number(option(args, "--settle") ?? "5"),
    warmupSeconds: Number(option(args, "--warmup") ?? String(DEFAULT_WARMUP_SECONDS)),
    breakdown: !args.includes("--no-breakdown"),
    controllerNodeFlags: (option(args, "--controller-node-flags") ?? "").split(" ").filter((flag) => flag !== ""),
    memoryTarget: memoryTargetOf(option(args, "--memory-target")),
    directory,
  };
  const children: ChildProcess[] = [];
  const forget = killOnInterrupt(children);
  try {
    const result = await measure(settings, children);
    return {
      benchmark: "controller",
      node: process.version,
      machine: { cpus: cpus().length },
      scenario: settings.scenario,
      controllerNodeFlags: [...NODE_FLAGS, ...settings.controllerNodeFlags],
      memoryTarget: settings.memoryTarget ?? null,
      ...result,
    };
  } finally {
    await Promise.all(children.map(stopGroup));
    forget();
    await rm(directory, { recursive: true, force: true });
  }
}
