/** `kubedrs plan`: the moves the core would make now, and why. */
import type { Command } from "commander";
import { plan } from "../../core/balance/plan.ts";
import { createRng } from "../../core/numeric/rng.ts";
import { readPlanningInputs } from "../inputs.ts";
import { parseFormat, render } from "../output.ts";
import { planTable } from "../views/plan-view.ts";
import { positiveInteger } from "./options.ts";

export function registerPlan(program: Command): void {
  program
    .command("plan")
    .description("print the balancing plan for a snapshot under a policy directory (a dry run)")
    .requiredOption("--snapshot <file>", "a ClusterSnapshot file (JSON or YAML)")
    .option("--policies <dir>", "a directory of policy files; the default BalancePolicy when omitted")
    .option("-o, --output <format>", "table, json or yaml", parseFormat, "table")
    .option("--seed <n>", "seed for the planner's random choices", positiveInteger, 1)
    .option("--max-moves <n>", "override every policy's maxMovesPerPass", positiveInteger)
    .option("--at <time>", "plan as of this RFC 3339 time instead of the snapshot's")
    .action(
      async (options: {
        snapshot: string;
        policies?: string;
        output: ReturnType<typeof parseFormat>;
        seed: number;
        maxMoves?: number;
        at?: string;
      }) => {
        const inputs = await readPlanningInputs(options.snapshot, options.policies, options.at);
        const result = plan({ ...inputs, rng: createRng(options.seed), maxMoves: options.maxMoves });
        process.stdout.write(`${render(result, options.output, () => planTable(result))}\n`);
      },
    );
}
