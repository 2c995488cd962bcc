/**
 * Runs the kubedrs CLI in-process, as `main(argv)`, with stdout and stderr captured (nothing reaches
 * the terminal), plus the fixtures the CLI tests share: the golden scenarios and scratch directories.
 */
import { readdirSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { vi } from "vitest";
import { main } from "../../src/cli/main.ts";

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function sink(chunks: string[]): (chunk: string | Uint8Array) => boolean {
  return (chunk) => {
    chunks.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
    return true;
  };
}

export async function kubedrs(...args: string[]): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = vi.spyOn(process.stdout, "write").mockImplementation(sink(out));
  const stderr = vi.spyOn(process.stderr, "write").mockImplementation(sink(err));
  try {
    const code = await main(args);
    return { code, stdout: out.join(""), stderr: err.join("") };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
}

const SCENARIOS = join(import.meta.dirname, "../golden/scenarios");

/** The golden scenarios' names: every directory under test/golden/scenarios, sorted. */
export function scenarioNames(): string[] {
  return readdirSync(SCENARIOS, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

/** A golden scenario's files, and `inputs`: the `--snapshot F --policies D` arguments for them. */
export function scenario(name: string): { snapshot: string; policies: string; inputs: string[] } {
  const snapshot = join(SCENARIOS, name, "snapshot.yaml");
  const policies = join(SCENARIOS, name, "policies");
  return { snapshot, policies, inputs: ["--snapshot", snapshot, "--policies", policies] };
}

/** A validation error as the CLI prints it: `  FILE:LINE:COLUMN: PATH: TYPE: message`. */
export interface ReportedError {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly path: string;
  readonly type: string;
}

const REPORTED = /^ {2}(.+):(\d+):(\d+): (\S+): (Required|Invalid|NotSupported|Forbidden|Duplicate): \S/;

/** Every detail line of a CLI error; fails on a detail line that does not name a file, line and path. */
export function reportedErrors(stderr: string): ReportedError[] {
  const details = stderr.split("\n").filter((line) => line.startsWith("  "));
  return details.map((line) => {
    const match = REPORTED.exec(line);
    if (!match) throw new Error(`not a located field error: ${line}`);
    const [, file = "", row = "0", column = "0", path = "", type = ""] = match;
    return { file: file.split("/").at(-1) ?? file, line: Number(row), column: Number(column), path, type };
  });
}

/** A scratch directory under the OS temp dir holding the given files; `remove` deletes it. */
export async function scratch(files: Readonly<Record<string, string>>): Promise<{
  readonly dir: string;
  readonly path: (name: string) => string;
  readonly remove: () => Promise<void>;
}> {
  const dir = await mkdtemp(join(tmpdir(), "kubedrs-cli-"));
  for (const [name, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  return { dir, path: (name) => join(dir, name), remove: () => rm(dir, { recursive: true, force: true }) };
}

/** A fixture's text, one argument per line, so the line numbers expectations name can be counted. */
export function lines(...text: string[]): string {
  return `${text.join("\n")}\n`;
}
