/**
 * `kubedrs` processes for the benchmarks: started in process groups of their own (so stopping one
 * stops whatever it started), with kubedrs' V8 flags, and the controller's JSON log read as it comes.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { resolve } from "node:path";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { kubedrsNodeFlags } from "../scripts/node-flags.ts";

const CLI = resolve(import.meta.dirname, "../src/cli/main.ts");
/** The V8 flags kubedrs runs with (bin/kubedrs.js's shebang). */
export const NODE_FLAGS = kubedrsNodeFlags();
export const CONTROLLER_STEP_LIMIT_MS = 5 * 60_000;

/** A process in a group of its own, so stopping it stops whatever it started as well. */
export function spawnGroup(args: string[], stdout: "pipe" | "ignore", nodeFlags: readonly string[] = []): ChildProcess {
  return spawn(process.execPath, [...NODE_FLAGS, ...nodeFlags, CLI, ...args], {
    detached: true,
    stdio: ["ignore", stdout, "inherit"],
  });
}

/**
 * `kubedrs run` against a twin, on the twin's clock, logging at info (the lines the benchmarks time),
 * its log piped for a ControllerLog; `args` come after the common ones.
 */
export function spawnController(
  kubeconfig: string,
  policies: string,
  args: readonly string[] = [],
  nodeFlags: readonly string[] = [],
): ChildProcess {
  const common = ["--kubeconfig", kubeconfig, "--policies", policies, "--clock", "twin", "--port", "0"];
  return spawnGroup(["run", ...common, "--log-level", "info", ...args], "pipe", nodeFlags);
}

export function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}

export async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  signalGroup(child, "SIGTERM");
  const stopped = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]);
  if (!stopped) {
    signalGroup(child, "SIGKILL");
    await exited;
  }
}

export interface LogLine {
  /** Wall milliseconds since the controller was started, when the line was read. */
  readonly atMs: number;
  readonly level: number;
  readonly msg: string;
  readonly fields: Record<string, unknown>;
}

/** pino's level numbers; the controller logs levels as words (src/controller/observability/logger.ts). */
const PINO_LEVELS: Readonly<Record<string, number>> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
};

/** The controller's pino lines (JSON, one per line), timed as they arrive. */
export class ControllerLog {
  readonly lines: LogLine[] = [];
  private readonly startedAt: number;

  constructor(stream: Readable, startedAt: number) {
    this.startedAt = startedAt;
    createInterface({ input: stream }).on("line", (text) => this.take(text));
  }

  private take(text: string): void {
    let fields: Record<string, unknown>;
    try {
      fields = JSON.parse(text) as Record<string, unknown>;
    } catch {
      fields = { msg: text, level: 30 };
    }
    const level = typeof fields.level === "string" ? (PINO_LEVELS[fields.level] ?? 30) : 30;
    const msg = typeof fields.msg === "string" ? fields.msg : "";
    this.lines.push({ atMs: performance.now() - this.startedAt, level, msg, fields });
  }

  first(msg: string): LogLine | undefined {
    return this.lines.find((line) => line.msg === msg);
  }

  /** Lines with this message read after `afterMs` (0: all of them). */
  count(msg: string, afterMs = 0): number {
    return this.lines.filter((line) => line.msg === msg && line.atMs > afterMs).length;
  }

  /** When the last line with this message was read, or undefined when none was. */
  lastAt(msg: string): number | undefined {
    return this.lines.findLast((line) => line.msg === msg)?.atMs;
  }

  /** Lines at warn (40) or above, as `level: message`. */
  problems(): string[] {
    return this.lines.filter((line) => line.level >= 40).map((line) => `${line.level}: ${line.msg}`);
  }

  async waitFor(msg: string, controller: ChildProcess): Promise<LogLine> {
    const deadline = performance.now() + CONTROLLER_STEP_LIMIT_MS;
    for (;;) {
      const line = this.first(msg);
      if (line) return line;
      if (controller.exitCode !== null || controller.signalCode !== null)
        throw new Error(
          `the controller exited (${controller.exitCode ?? controller.signalCode}) before "${msg}":\n${this.tail()}`,
        );
      if (performance.now() > deadline)
        throw new Error(`no "${msg}" from the controller within 5 minutes:\n${this.tail()}`);
      await sleep(100);
    }
  }

  /**
   * Waits until no line (with message `msg`, when given) has come for `quietMs`; resolves to when the
   * last one came. Throws when the controller keeps logging for 5 minutes.
   */
  async quiet(quietMs: number, msg?: string): Promise<number> {
    const deadline = performance.now() + CONTROLLER_STEP_LIMIT_MS;
    for (;;) {
      const last = (msg === undefined ? this.lines.at(-1)?.atMs : this.lastAt(msg)) ?? 0;
      const silent = this.sinceStartMs() - last;
      if (silent >= quietMs) return last;
      if (performance.now() > deadline)
        throw new Error(`the controller kept logging ${msg === undefined ? "" : `"${msg}" `}for 5 minutes`);
      await sleep(quietMs - silent);
    }
  }

  /** Wall milliseconds since the controller was started. */
  sinceStartMs(): number {
    return performance.now() - this.startedAt;
  }

  private tail(): string {
    return this.lines
      .slice(-10)
      .map((line) => JSON.stringify(line.fields))
      .join("\n");
  }
}

/** Kills the processes if the benchmark itself is interrupted; they run in groups of their own. */
export function killOnInterrupt(children: ChildProcess[]): () => void {
  const onSignal = (): void => {
    for (const child of children) signalGroup(child, "SIGKILL");
    process.exit(130);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  return () => {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  };
}
