/** `kubedrs policy validate|diff`: the pull-request checks for a policy directory. */
import type { Command } from "commander";
import { loadPolicyDirectory } from "../../adapters/files/policy-directory.ts";
import { plan } from "../../core/balance/plan.ts";
import type { Plan } from "../../core/balance/plan-types.ts";
import { createRng } from "../../core/numeric/rng.ts";
import { formatFieldError } from "../../core/policy/field-error.ts";
import { countPolicies } from "../../core/policy/policy-set.ts";
import { UserError } from "../errors.ts";
import { readPlanningInputs, readPolicies } from "../inputs.ts";
import { parseFormat, render, table } from "../output.ts";
import { planHeadline } from "../views/plan-view.ts";

function moveKey(move: Plan["moves"][number]): string {
  return `${move.vm} ${move.from} → ${move.to}`;
}

function diffTable(old: Plan, next: Plan): string {
  const before = new Set(old.moves.map(moveKey));
  const after = new Set(next.moves.map(moveKey));
  const rows = [
    ...[...before].filter((key) => !after.has(key)).map((key) => ["- dropped", key]),
    ...[...after].filter((key) => !before.has(key)).map((key) => ["+ added", key]),
  ];
  const changes = rows.length === 0 ? "the two policy sets plan the same moves" : table(["change", "move"], rows);
  return `old: ${planHeadline(old)}\nnew: ${planHeadline(next)}\n\n${changes}`;
}

export function registerPolicy(program: Command): void {
  const policy = program.command("policy").description("check policy directories");
  policy
    .command("validate")
    .description("validate every policy document in a directory; exit 1 listing every error")
    .argument("<dir>", "the policy directory")
    .action(async (directory: string) => {
      const loaded = await loadPolicyDirectory(directory).catch((error: unknown) => {
        throw new UserError(`cannot read ${directory}: ${error instanceof Error ? error.message : String(error)}`);
      });
      if (loaded.errors.length > 0)
        throw new UserError(`${loaded.errors.length} error(s) in ${directory}:`, loaded.errors.map(formatFieldError));
      process.stdout.write(
        `${directory}: ${countPolicies(loaded.set)} valid policy document(s) in ${loaded.files.length} file(s)\n`,
      );
    });
  policy
    .command("diff")
    .description("compare the plans two policy directories produce on one snapshot")
    .argument("<old>", "the current policy directory")
    .argument("<new>", "the proposed policy directory")
    .requiredOption("--snapshot <file>", "a ClusterSnapshot file")
    .option("-o, --output <format>", "table, json or yaml", parseFormat, "table")
    .action(
      async (oldDir: string, newDir: string, options: { snapshot: string; output: ReturnType<typeof parseFormat> }) => {
        const inputs = await readPlanningInputs(options.snapshot, oldDir);
        const proposed = await readPolicies(newDir);
        const old = plan({ ...inputs, rng: createRng(1) });
        const next = plan({ ...inputs, policies: proposed, rng: createRng(1) });
        const result = {
          old: { imbalanceAfter: old.imbalanceAfter, moves: old.moves.map(moveKey) },
          new: { imbalanceAfter: next.imbalanceAfter, moves: next.moves.map(moveKey) },
        };
        process.stdout.write(`${render(result, options.output, () => diffTable(old, next))}\n`);
      },
    );
}
