/**
 * After stop() an elector leaves nothing behind that keeps Node running (no timer, no pending
 * request): a replica in its own process exits by itself once it has stopped.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { useElectionFixture } from "./election-fixture.ts";

const SCRIPT = fileURLToPath(new URL("./elector-process.ts", import.meta.url));

const fixture = useElectionFixture();

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Milliseconds from "stopped" on stdout to the process's exit. */
  readonly exitDelayMs: number | undefined;
}

/** Runs the script; kills it if it has not exited `graceMs` after saying it stopped. */
function runReplica(lease: string, graceMs: number): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [SCRIPT, fixture().url, lease], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let stoppedAt: number | undefined;
    let killer: NodeJS.Timeout | undefined;
    const overall = setTimeout(() => child.kill(), 20_000);
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stoppedAt === undefined && stdout.includes("stopped\n")) {
        stoppedAt = Date.now();
        killer = setTimeout(() => child.kill(), graceMs);
      }
    });
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("exit", (code) => {
      clearTimeout(killer);
      clearTimeout(overall);
      resolve({ code, stdout, stderr, exitDelayMs: stoppedAt === undefined ? undefined : Date.now() - stoppedAt });
    });
  });
}

it("a stopped replica's process exits by itself, having released the lease", async () => {
  const run = await runReplica("process-exit", 2_000);

  expect({ code: run.code, stdout: run.stdout, stderr: run.stderr }).toEqual({
    code: 0,
    stdout: "leading\nstopped\n",
    stderr: "",
  });
  expect(run.exitDelayMs).toBeLessThan(1_000);
  expect(fixture().lease("process-exit")?.spec).toMatchObject({ leaseDurationSeconds: 1 });
  expect(fixture().holder("process-exit")).toBeUndefined();
});
