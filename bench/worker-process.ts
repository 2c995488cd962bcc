/**
 * A benchmark's measurement in a process of its own, so memory and heap state never mix between
 * measurements: the script runs on this Node with the same V8 flags (see bin/kubedrs.js) and its
 * stdout comes back whole.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

export async function runWorker(script: string, args: readonly string[]): Promise<string> {
  const { stdout } = await execFileAsync(process.execPath, [...process.execArgv, script, ...args], {
    maxBuffer: 256 * 2 ** 20,
  });
  return stdout;
}
