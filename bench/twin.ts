/**
 * The twin benchmark: serves a scenario (scale-1k: 1,000 nodes / 30,000 VMIs) in its own process
 * and measures it from outside as a user would: `kubectl get vmi -A`, a client-node list+watch
 * resync of nodes, pods and VMIs, and the twin's memory; then checks pacing by running the demo
 * scenario for one virtual hour at --speed 60.
 *
 *   npm run bench -- twin [--scenario scale-1k] [--runs 5] [--pace-scenario demo]
 *
 * kubectl pages `get` by 500 and its client-side rate limiter (5 requests/s after a burst of 10)
 * spaces the pages, so 30,000 rows take about 11 s against any API server; the unchunked run
 * (--chunk-size=0) and the raw lists show the server's own share.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { option } from "./args.ts";

const execFileAsync = promisify(execFile);
const KUBEDRS = resolve(import.meta.dirname, "../bin/kubedrs.js");
const INFORMERS = resolve(import.meta.dirname, "twin-informers.ts");
const STARTUP_LIMIT_MS = 10 * 60_000;

function seconds(startMs: number): number {
  return Math.round(performance.now() - startMs) / 1000;
}

function summarize(values: number[]): { median: number; min: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)] ?? 0, min: sorted[0] ?? 0, max: sorted.at(-1) ?? 0 };
}

/** `kubedrs twin` with the V8 flags kubedrs runs with (bin/kubedrs.js's shebang). */
function startTwin(scenario: string, kubeconfig: string, extra: string[]): ChildProcess {
  const args = [
    ...process.execArgv,
    KUBEDRS,
    "twin",
    "--scenario",
    scenario,
    "--port",
    "0",
    "--kubeconfig",
    kubeconfig,
  ];
  return spawn(process.execPath, [...args, ...extra], { stdio: ["ignore", "pipe", "inherit"] });
}

/** The twin writes its kubeconfig (renamed into place) once it serves. */
async function waitForKubeconfig(twin: ChildProcess, path: string): Promise<void> {
  const deadline = performance.now() + STARTUP_LIMIT_MS;
  while (!existsSync(path)) {
    if (twin.exitCode !== null) throw new Error(`the twin exited with ${twin.exitCode} before serving`);
    if (performance.now() > deadline) throw new Error("the twin did not serve within 10 minutes");
    await sleep(50);
  }
}

async function kubectlGetVmis(kubeconfig: string): Promise<{ seconds: number; rows: number; running: number }> {
  const start = performance.now();
  const { stdout } = await execFileAsync("kubectl", ["--kubeconfig", kubeconfig, "get", "vmi", "-A"], {
    maxBuffer: 256 * 2 ** 20,
  });
  const elapsed = seconds(start);
  const rows = stdout.trimEnd().split("\n").slice(1);
  return { seconds: elapsed, rows: rows.length, running: rows.filter((row) => /\sRunning\s/.test(row)).length };
}

/** kubectl pages lists by 500 and its client-side rate limiter (5 requests/s, burst 10) paces the pages. */
async function kubectlUnchunked(kubeconfig: string): Promise<number> {
  const start = performance.now();
  await execFileAsync("kubectl", ["--kubeconfig", kubeconfig, "get", "vmi", "-A", "--chunk-size=0"], {
    maxBuffer: 256 * 2 ** 20,
  });
  return seconds(start);
}

const TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io";
const LISTS: Record<string, { path: string; accept?: string }> = {
  nodes: { path: "/api/v1/nodes" },
  pods: { path: "/api/v1/pods" },
  virtualmachineinstances: { path: "/apis/kubevirt.io/v1/virtualmachineinstances" },
  virtualmachineinstancesTable: { path: "/apis/kubevirt.io/v1/virtualmachineinstances", accept: TABLE },
  virtualmachineinstancesTablePage: { path: "/apis/kubevirt.io/v1/virtualmachineinstances?limit=500", accept: TABLE },
};

/** The twin's own share: one full list, to the last byte, with no client decoding it. */
async function serverLists(kubeconfig: string): Promise<Record<string, { seconds: number; MiB: number }>> {
  const server = /server: (\S+)/.exec(await readFile(kubeconfig, "utf8"))?.[1] ?? "";
  const result: Record<string, { seconds: number; MiB: number }> = {};
  for (const [name, { path, accept }] of Object.entries(LISTS)) {
    const start = performance.now();
    const response = await fetch(`${server}${path}`, { headers: accept ? { accept } : {} });
    const bytes = (await response.arrayBuffer()).byteLength;
    result[name] = { seconds: seconds(start), MiB: Math.round(bytes / 2 ** 20) };
  }
  return result;
}

async function informerResync(kubeconfig: string, mode: "typed" | "raw"): Promise<unknown> {
  const { stdout } = await execFileAsync(process.execPath, [...process.execArgv, INFORMERS, kubeconfig, mode], {
    maxBuffer: 2 ** 20,
  });
  return JSON.parse(stdout) as unknown;
}

/** VmRSS (now) and VmHWM (peak) of a process, in MiB. */
async function memoryOf(pid: number): Promise<{ rssMiB: number; peakRssMiB: number }> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kib = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0);
  return { rssMiB: Math.round(kib("VmRSS") / 1024), peakRssMiB: Math.round(kib("VmHWM") / 1024) };
}

async function stopTwin(twin: ChildProcess): Promise<void> {
  if (twin.exitCode !== null) return;
  twin.kill("SIGTERM");
  await once(twin, "exit");
}

async function measureScale(scenario: string, runs: number, directory: string): Promise<unknown> {
  const kubeconfig = join(directory, `${scenario}.kubeconfig`);
  const started = performance.now();
  const twin = startTwin(scenario, kubeconfig, ["--speed", "1"]);
  twin.stdout?.resume();
  try {
    await waitForKubeconfig(twin, kubeconfig);
    const startupSeconds = seconds(started);
    const warmUp = await kubectlGetVmis(kubeconfig);
    const kubectl = [];
    for (let run = 0; run < runs; run += 1) kubectl.push(await kubectlGetVmis(kubeconfig));
    const unchunked = [];
    for (let run = 0; run < runs; run += 1) unchunked.push(await kubectlUnchunked(kubeconfig));
    const lists: Awaited<ReturnType<typeof serverLists>>[] = [];
    for (let run = 0; run < runs; run += 1) lists.push(await serverLists(kubeconfig));
    const informers = [];
    for (let run = 0; run < runs; run += 1) informers.push(await informerResync(kubeconfig, "typed"));
    const rawInformers = [];
    for (let run = 0; run < runs; run += 1) rawInformers.push(await informerResync(kubeconfig, "raw"));
    return {
      scenario,
      startupSeconds,
      kubectlGetVmiAll: {
        seconds: summarize(kubectl.map((run) => run.seconds)),
        rows: kubectl.at(-1)?.rows,
        running: kubectl.at(-1)?.running,
        firstRunSeconds: warmUp.seconds,
        unchunkedSeconds: summarize(unchunked),
      },
      serverListSeconds: Object.fromEntries(
        Object.keys(LISTS).map((name) => [
          name,
          { ...summarize(lists.map((run) => run[name]?.seconds ?? 0)), MiB: lists[0]?.[name]?.MiB },
        ]),
      ),
      informerResyncRaw: {
        seconds: summarize(rawInformers.map((run) => (run as { seconds: number }).seconds)),
        runs: rawInformers,
      },
      informerResync: {
        seconds: summarize(informers.map((run) => (run as { seconds: number }).seconds)),
        runs: informers,
      },
      twinMemory: await memoryOf(twin.pid ?? 0),
    };
  } finally {
    await stopTwin(twin);
  }
}

/** One virtual hour at --speed 60: the wall time the whole process takes, start-up included. */
async function measurePace(scenario: string, directory: string): Promise<unknown> {
  const kubeconfig = join(directory, `${scenario}.kubeconfig`);
  const started = performance.now();
  const twin = startTwin(scenario, kubeconfig, ["--speed", "60", "--duration", "1h"]);
  let output = "";
  twin.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const [code] = (await once(twin, "exit")) as [number | null];
  if (code !== 0) throw new Error(`the twin exited with ${code}:\n${output}`);
  return {
    scenario,
    speed: 60,
    virtualSeconds: 3600,
    wallSeconds: seconds(started),
    summary: output.trim().split("\n").at(-1),
  };
}

export async function run(args: string[]): Promise<unknown> {
  const scenario = option(args, "--scenario") ?? "scale-1k";
  const runs = Number(option(args, "--runs") ?? "5");
  const paceScenario = option(args, "--pace-scenario") ?? "demo";
  const directory = await mkdtemp(join(tmpdir(), "kubedrs-bench-twin-"));
  try {
    const kubectl = await execFileAsync("kubectl", ["version", "--client", "-o", "json"]);
    return {
      benchmark: "twin",
      node: process.version,
      kubectl: (JSON.parse(kubectl.stdout) as { clientVersion?: { gitVersion?: string } }).clientVersion?.gitVersion,
      machine: { cpus: cpus().length },
      scale: await measureScale(scenario, runs, directory),
      pace: await measurePace(paceScenario, directory),
    };
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}
