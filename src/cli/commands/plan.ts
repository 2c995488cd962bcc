/** `kubedrs plan`: the moves the core would make now, and why. */
import type { Command } from "commander";
import { plan } from "../../core/balance/plan.ts";
import { createRng } from "../../core/numeric/rng.ts";
import { printWarnings, readSourceInputs, type SourceFlags, withClusterSource } from "../inputs.ts";
import { parseFormat, render } from "../output.ts";
import { planTable } from "../views/plan-view.ts";
import { positiveInteger } from "./options.ts";

export function registerPlan(program: Command): void {
  const command = program
    .command("plan")
    .description("print the balancing plan for a snapshot or a live cluster under a set of policies (a dry run)");
  withClusterSource(command, "plan")
    .option("-o, --output <format>", "table, json or yaml", parseFormat, "table")
    .option("--seed <n>", "seed for the planner's random choices", positiveInteger, 1)
    .option("--max-moves <n>", "override every policy's maxMovesPerPass", positiveInteger)
    .action(
      async (options: SourceFlags & { output: ReturnType<typeof parseFormat>; seed: number; maxMoves?: number }) => {
        const { warnings, ...inputs } = await readSourceInputs(options);
        printWarnings(warnings);
        const result = plan({ ...inputs, rng: createRng(options.seed), maxMoves: options.maxMoves });
        process.stdout.write(`${render(result, options.output, () => planTable(result))}\n`);
      },
    );
}
