/** `kubedrs explain NAMESPACE/VM`: may this VM move, where could it go, and why not elsewhere. */
import type { Command } from "commander";
import { explain, UnknownVmError } from "../../core/balance/explain.ts";
import { createRng } from "../../core/numeric/rng.ts";
import { UserError } from "../errors.ts";
import { readPlanningInputs } from "../inputs.ts";
import { parseFormat, render } from "../output.ts";
import { explainTable } from "../views/explain-view.ts";

export function registerExplain(program: Command): void {
  program
    .command("explain")
    .description("explain every node's verdict for one VM: fits or why not, and the score terms")
    .argument("<namespace/vm>", "the VM to explain")
    .requiredOption("--snapshot <file>", "a ClusterSnapshot file (JSON or YAML)")
    .option("--policies <dir>", "a directory of policy files")
    .option("-o, --output <format>", "table, json or yaml", parseFormat, "table")
    .option("--at <time>", "explain as of this RFC 3339 time instead of the snapshot's")
    .action(
      async (
        vm: string,
        options: { snapshot: string; policies?: string; output: ReturnType<typeof parseFormat>; at?: string },
      ) => {
        const inputs = await readPlanningInputs(options.snapshot, options.policies, options.at);
        try {
          const result = explain({ ...inputs, rng: createRng(1) }, vm);
          process.stdout.write(`${render(result, options.output, () => explainTable(result))}\n`);
        } catch (error) {
          if (error instanceof UnknownVmError) throw new UserError(error.message);
          throw error;
        }
      },
    );
}
