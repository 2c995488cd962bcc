/**
 * kubectl as a real client of a twin: the twin's kubeconfig in a scratch directory that is also
 * kubectl's HOME (so neither the user's kubeconfig nor their discovery cache is ever read), runs
 * that capture exit code and output, long-running commands (get -w, wait) that a test can read
 * while they run, and a parser for kubectl's tables.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Twin } from "../../src/twin/twin.ts";

export interface KubectlRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A kubectl command that keeps running: its output so far, and a way to wait for a line or for its end. */
export class RunningKubectl {
  stdout = "";
  stderr = "";
  private readonly child: ChildProcess;
  private readonly exit: Promise<KubectlRun>;
  private readonly listeners = new Set<() => void>();

  constructor(child: ChildProcess) {
    this.child = child;
    child.stdout?.on("data", (chunk: Buffer) => this.append("stdout", chunk));
    child.stderr?.on("data", (chunk: Buffer) => this.append("stderr", chunk));
    this.exit = new Promise((resolve) => {
      child.on("close", (code) => resolve({ code: code ?? -1, stdout: this.stdout, stderr: this.stderr }));
    });
  }

  private append(stream: "stdout" | "stderr", chunk: Buffer): void {
    this[stream] += chunk.toString("utf8");
    for (const listener of [...this.listeners]) listener();
  }

  /** Resolves once stdout (or stderr) matches `pattern`. */
  output(pattern: RegExp, stream: "stdout" | "stderr" = "stdout", timeoutMs = 10_000): Promise<string> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (!pattern.test(this[stream])) return;
        done();
        resolve(this[stream]);
      };
      const timer = setTimeout(() => {
        done();
        reject(
          new Error(`kubectl printed no ${String(pattern)} within ${timeoutMs} ms:\n${this.stdout}${this.stderr}`),
        );
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
      check();
    });
  }

  /** The command's end, for commands that end by themselves (wait, drain). */
  finished(): Promise<KubectlRun> {
    return this.exit;
  }

  /** Ends a command that would not end by itself (get -w). */
  async stop(): Promise<KubectlRun> {
    this.child.kill("SIGTERM");
    return this.exit;
  }
}

export class Kubectl {
  private readonly home: string;
  private readonly kubeconfig: string;

  private constructor(home: string) {
    this.home = home;
    this.kubeconfig = join(home, "kubeconfig");
  }

  /** Points kubectl at a listening twin. */
  static async forTwin(twin: Twin): Promise<Kubectl> {
    const kubectl = new Kubectl(await mkdtemp(join(tmpdir(), "kubedrs-kubectl-")));
    await writeFile(kubectl.kubeconfig, twin.kubeconfig(), { mode: 0o600 });
    return kubectl;
  }

  /** Writes a file (a manifest) into kubectl's scratch directory; returns its path. */
  async file(name: string, text: string): Promise<string> {
    const path = join(this.home, name);
    await writeFile(path, text);
    return path;
  }

  private env(): NodeJS.ProcessEnv {
    return { ...process.env, HOME: this.home, KUBECONFIG: this.kubeconfig, KUBECTL_INTERACTIVE_DELETE: "false" };
  }

  private args(args: readonly string[]): string[] {
    return ["--kubeconfig", this.kubeconfig, ...args];
  }

  /** Runs kubectl to its end; a non-zero exit is a result, not an error. */
  run(...args: string[]): Promise<KubectlRun> {
    return new Promise((resolve, reject) => {
      execFile("kubectl", this.args(args), { env: this.env(), timeout: 30_000 }, (error, stdout, stderr) => {
        if (error && typeof error.code !== "number") {
          reject(new Error(`kubectl ${args.join(" ")}: ${error.message}\n${stderr}`));
          return;
        }
        resolve({ code: typeof error?.code === "number" ? error.code : 0, stdout, stderr });
      });
    });
  }

  /** Runs kubectl and expects it to succeed; returns its stdout. */
  async ok(...args: string[]): Promise<string> {
    const result = await this.run(...args);
    if (result.code !== 0) throw new Error(`kubectl ${args.join(" ")} exited ${result.code}:\n${result.stderr}`);
    return result.stdout;
  }

  /** Starts kubectl and returns at once. */
  start(...args: string[]): RunningKubectl {
    return new RunningKubectl(
      spawn("kubectl", this.args(args), { env: this.env(), stdio: ["ignore", "pipe", "pipe"] }),
    );
  }

  async close(): Promise<void> {
    await rm(this.home, { recursive: true, force: true });
  }
}

export interface Table {
  readonly header: string[];
  readonly rows: Record<string, string>[];
}

/** Parses kubectl's column output (columns are separated by two or more spaces). */
export function parseTable(text: string): Table {
  const [first = "", ...lines] = text.split("\n").filter((line) => line.trim() !== "");
  const header = first.trim().split(/\s{2,}/);
  const rows = lines.map((line) => {
    const cells = line.trim().split(/\s{2,}/);
    return Object.fromEntries(header.map((column, index) => [column, cells[index] ?? ""]));
  });
  return { header, rows };
}
