/**
 * `kubedrs demo` (what `npm start` runs): plans the bundled skewed example cluster under the
 * example policies in policies/ and prints the plan. The live demo on the twin replaces this
 * once the twin exists.
 */
import { resolve } from "node:path";
import type { Command } from "commander";
import { plan } from "../../core/balance/plan.ts";
import { createRng } from "../../core/numeric/rng.ts";
import { readPlanningInputs } from "../inputs.ts";
import { planTable } from "../views/plan-view.ts";

const REPO = resolve(import.meta.dirname, "../../..");
export const DEMO_SNAPSHOT = resolve(REPO, "examples/snapshots/demo.yaml");
export const EXAMPLE_POLICIES = resolve(REPO, "policies");

export function registerDemo(program: Command): void {
  program
    .command("demo")
    .description("plan the bundled example cluster under the example policies")
    .action(async () => {
      const inputs = await readPlanningInputs(DEMO_SNAPSHOT, EXAMPLE_POLICIES);
      const result = plan({ ...inputs, rng: createRng(1) });
      process.stdout.write(
        `Example cluster: ${inputs.model.nodes.length} nodes, ${inputs.model.vms.length} VMs (examples/snapshots/demo.yaml)\n`,
      );
      process.stdout.write(`Policies: policies/\n\n${planTable(result)}\n`);
    });
}
