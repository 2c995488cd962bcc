/**
 * `kubedrs demo` (what `npm start` runs): the twin with the skewed demo scenario, the controller
 * against it with the example policies in policies/, a live view, and a summary at the end.
 */
import { resolve } from "node:path";
import type { Command } from "commander";
import { runDemo } from "../demo/demo-run.ts";
import { positiveInteger } from "./options.ts";

export const EXAMPLE_POLICIES = resolve(import.meta.dirname, "../../../policies");

export function registerDemo(program: Command): void {
  program
    .command("demo")
    .description("run the controller against a simulated, skewed KubeVirt cluster and watch it balance")
    .option("--scenario <name|file>", "twin scenario", "demo")
    .option("--policies <dir>", "policy directory", EXAMPLE_POLICIES)
    .option("--speed <n>", "virtual seconds per wall second", positiveInteger, 60)
    .action(async (options: { scenario: string; policies: string; speed: number }) => {
      await runDemo({ ...options, frameEveryMs: 250, out: process.stdout });
    });
}
