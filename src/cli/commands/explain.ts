/** `kubedrs explain NAMESPACE/VM`: may this VM move, where could it go, and why not elsewhere. */
import type { Command } from "commander";
import { explain, UnknownVmError } from "../../core/balance/explain.ts";
import { createRng } from "../../core/numeric/rng.ts";
import { UserError } from "../errors.ts";
import { printWarnings, readSourceInputs, type SourceFlags, withClusterSource } from "../inputs.ts";
import { parseFormat, render } from "../output.ts";
import { explainTable } from "../views/explain-view.ts";

export function registerExplain(program: Command): void {
  const command = program
    .command("explain")
    .description("explain every node's verdict for one VM: fits or why not, and the score terms")
    .argument("<namespace/vm>", "the VM to explain");
  withClusterSource(command, "explain")
    .option("-o, --output <format>", "table, json or yaml", parseFormat, "table")
    .action(async (vm: string, options: SourceFlags & { output: ReturnType<typeof parseFormat> }) => {
      const { warnings, ...inputs } = await readSourceInputs(options);
      printWarnings(warnings);
      try {
        const result = explain({ ...inputs, rng: createRng(1) }, vm);
        process.stdout.write(`${render(result, options.output, () => explainTable(result))}\n`);
      } catch (error) {
        if (error instanceof UnknownVmError) throw new UserError(error.message);
        throw error;
      }
    });
}
