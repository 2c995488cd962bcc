/**
 * `kubedrs demo` (what `npm start` runs until the twin exists): generates a skewed example cluster,
 * plans it under the example policies in policies/ and prints the plan.
 */
import { resolve } from "node:path";
import type { Command } from "commander";
import { plan } from "../../core/balance/plan.ts";
import { buildClusterModel } from "../../core/model/cluster.ts";
import { createRng } from "../../core/numeric/rng.ts";
import { generateSnapshot } from "../../synth/index.ts";
import { readPolicies } from "../inputs.ts";
import { planTable } from "../views/plan-view.ts";

export const EXAMPLE_POLICIES = resolve(import.meta.dirname, "../../../policies");
export const DEMO_CLUSTER = { nodes: 12, vms: 300, seed: 7, hot: 0.25 } as const;

export function registerDemo(program: Command): void {
  program
    .command("demo")
    .description("plan a generated, skewed example cluster under the example policies")
    .action(async () => {
      const policies = await readPolicies(EXAMPLE_POLICIES);
      const model = buildClusterModel(generateSnapshot(DEMO_CLUSTER));
      const result = plan({ model, policies, now: model.takenAt, rng: createRng(1) });
      const { nodes, vms, seed, hot } = DEMO_CLUSTER;
      process.stdout.write(
        `Example cluster: ${nodes} nodes, ${vms} VMs, ${hot * 100}% of nodes hot ` +
          `(kubedrs snapshot generate --nodes ${nodes} --vms ${vms} --seed ${seed} --hot ${hot})\n` +
          `Policies: policies/\n\n${planTable(result)}\n`,
      );
    });
}
