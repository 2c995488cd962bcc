/**
 * The demo scenario on a twin paced at 60× and kubedrs controllers against it, as separate processes
 * (so a test can SIGKILL one, as a node failure or an OOM kill would) or in-process (to read its
 * keeper and metrics). kubectl watches the VMIMs as an independent observer.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { readScenario } from "../../src/cli/commands/twin.ts";
import { createScenarioTwin } from "../../src/twin/scenario-twin.ts";
import { bootScenario } from "../../src/twin/scenario/index.ts";
import type { Twin } from "../../src/twin/twin.ts";
import { kubedrsNodeFlags } from "../../scripts/node-flags.ts";
import { Kubectl, type RunningKubectl } from "./kubectl.ts";

export const REPOSITORY = resolve(import.meta.dirname, "../..");
export const EXAMPLE_POLICIES = join(REPOSITORY, "policies");
export const SPEED = 60;

export interface ScenarioTwin {
  readonly twin: Twin;
  readonly kubectl: Kubectl;
  readonly kubeconfig: string;
  readonly directory: string;
  /** Virtual start of the scenario. */
  readonly start: number;
  close(): Promise<void>;
}

export async function startDemoTwin(): Promise<ScenarioTwin> {
  return startLibraryTwin("demo");
}

/** A library scenario on a twin paced at SPEED (or `speed`); `withoutEvents` drops its timed events, so the test drives everything. */
export async function startLibraryTwin(
  name: string,
  options: { withoutEvents?: boolean; speed?: number } = {},
): Promise<ScenarioTwin> {
  const speed = options.speed ?? SPEED;
  const loaded = await readScenario(name);
  const { document } = loaded;
  const scenario = options.withoutEvents
    ? { ...loaded, document: { ...document, spec: { ...document.spec, events: [] } } }
    : loaded;
  const { twin, applied } = createScenarioTwin(scenario, { speed, audit: true });
  bootScenario(twin);
  await twin.listen(0);
  const directory = await mkdtemp(join(tmpdir(), "kubedrs-e2e-"));
  const kubeconfig = join(directory, "kubeconfig");
  await writeFile(kubeconfig, twin.kubeconfig());
  const kubectl = await Kubectl.forTwin(twin);
  void twin.start(speed, applied.end);
  return {
    twin,
    kubectl,
    kubeconfig,
    directory,
    start: applied.start,
    async close() {
      await twin.stop();
      await kubectl.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** A `kubedrs run` process; its JSON log lines, parsed, as they come. */
export class ControllerProcess {
  readonly lines: Record<string, unknown>[] = [];
  private readonly child: ChildProcess;
  private readonly exited: Promise<number | null>;
  private buffer = "";

  constructor(kubeconfig: string, extra: readonly string[] = []) {
    const args = [
      ...kubedrsNodeFlags(),
      "src/cli/main.ts",
      "run",
      "--kubeconfig",
      kubeconfig,
      "--clock",
      "twin",
      "--port",
      "0",
    ];
    this.child = spawn(process.execPath, [...args, ...extra], { cwd: REPOSITORY, stdio: ["ignore", "pipe", "pipe"] });
    this.child.stdout?.on("data", (chunk: Buffer) => this.take(chunk.toString("utf8")));
    this.child.stderr?.on("data", (chunk: Buffer) => this.take(chunk.toString("utf8")));
    this.exited = new Promise((done) => this.child.on("exit", (code) => done(code)));
  }

  private take(text: string): void {
    this.buffer += text;
    const parts = this.buffer.split("\n");
    this.buffer = parts.pop() ?? "";
    for (const part of parts) {
      try {
        this.lines.push(JSON.parse(part) as Record<string, unknown>);
      } catch {
        this.lines.push({ msg: part, raw: true });
      }
    }
  }

  messages(msg: string): Record<string, unknown>[] {
    return this.lines.filter((line) => line.msg === msg);
  }

  async waitFor(msg: string, timeoutMs = 60_000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages(msg)[0];
      if (found) return found;
      if (Date.now() > deadline)
        throw new Error(
          `no "${msg}" within ${timeoutMs} ms; log:\n${this.lines.map((l) => JSON.stringify(l)).join("\n")}`,
        );
      await sleep(50);
    }
  }

  kill(signal: NodeJS.Signals = "SIGKILL"): Promise<number | null> {
    this.child.kill(signal);
    return this.exited;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

export interface MigrationEvent {
  readonly name: string;
  readonly vm: string;
  readonly phase: string;
  readonly source: string;
  readonly target: string;
  readonly plan: string;
}

const WATCH_TEMPLATE =
  '{.metadata.name} {.spec.vmiName} {.status.phase} {.metadata.labels.kubedrs\\.io/source} {.metadata.labels.kubedrs\\.io/target} {.metadata.labels.kubedrs\\.io/plan}{"\\n"}';

/** `kubectl get vmim -A -w`: every change to every migration, one line each. */
export class MigrationWatch {
  private readonly running: RunningKubectl;

  constructor(kubectl: Kubectl) {
    this.running = kubectl.start("get", "vmim", "-A", "-w", "-o", `jsonpath=${WATCH_TEMPLATE}`);
  }

  events(): MigrationEvent[] {
    return this.running.stdout
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => {
        const [name = "", vm = "", phase = "", source = "", target = "", plan = ""] = line.split(" ");
        return { name, vm, phase, source, target, plan };
      });
  }

  async stop(): Promise<void> {
    await this.running.stop();
  }
}

/** The most migrations that were live at once: overall, out of any node, into any node. */
export function peakConcurrency(events: readonly MigrationEvent[]): {
  cluster: number;
  outbound: number;
  inbound: number;
} {
  const live = new Map<string, MigrationEvent>();
  const peak = { cluster: 0, outbound: 0, inbound: 0 };
  const max = (key: "source" | "target"): number => {
    const counts = new Map<string, number>();
    for (const event of live.values()) counts.set(event[key], (counts.get(event[key]) ?? 0) + 1);
    return Math.max(0, ...counts.values());
  };
  for (const event of events) {
    if (event.phase === "Succeeded" || event.phase === "Failed") live.delete(event.name);
    else live.set(event.name, event);
    peak.cluster = Math.max(peak.cluster, live.size);
    peak.outbound = Math.max(peak.outbound, max("source"));
    peak.inbound = Math.max(peak.inbound, max("target"));
  }
  return peak;
}

/** Polls `probe` every 250 ms until it returns a value; fails naming `what` after `timeoutMs`. */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

/** The VMIs kubectl places on a node, as namespace/name. */
export async function vmisOn(cluster: ScenarioTwin, node: string): Promise<string[]> {
  const text = await cluster.kubectl.ok(
    "get",
    "vmi",
    "-A",
    "--field-selector",
    `status.nodeName=${node}`,
    "-o",
    "jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name}{'\\n'}{end}",
  );
  return text.split("\n").filter(Boolean).sort();
}
