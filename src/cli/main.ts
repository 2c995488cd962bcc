/**
 * The kubedrs command line (also a kubectl plugin, `kubectl drs`). Thin: it parses arguments,
 * reads files, calls the core and prints. A user's mistake ends with a clear message and exit 1.
 */
import { Command, CommanderError } from "commander";
import { registerDemo } from "./commands/demo.ts";
import { registerEvacuate } from "./commands/evacuate.ts";
import { registerExplain } from "./commands/explain.ts";
import { registerFailover } from "./commands/failover.ts";
import { registerIncidents } from "./commands/incidents.ts";
import { registerPlan } from "./commands/plan.ts";
import { registerPolicy } from "./commands/policy.ts";
import { registerRun } from "./commands/run.ts";
import { registerSnapshot } from "./commands/snapshot.ts";
import { registerTwin } from "./commands/twin.ts";
import { ExitStatus, UserError } from "./errors.ts";

export function buildProgram(): Command {
  const program = new Command("kubedrs")
    .description("DRS-style balancing, maintenance evacuation and HA restart for KubeVirt VMs")
    .showHelpAfterError()
    .exitOverride();
  registerRun(program);
  registerPlan(program);
  registerExplain(program);
  registerEvacuate(program);
  registerIncidents(program);
  registerFailover(program);
  registerSnapshot(program);
  registerPolicy(program);
  registerDemo(program);
  registerTwin(program);
  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync([...argv], { from: "user" });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 1;
    if (error instanceof ExitStatus) return error.code;
    if (error instanceof UserError) {
      process.stderr.write(`error: ${error.message}\n${error.details.map((line) => `  ${line}\n`).join("")}`);
      return 1;
    }
    throw error;
  }
}

if (import.meta.main) {
  process.exitCode = await main(process.argv.slice(2));
}
