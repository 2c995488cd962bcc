/**
 * `kubedrs failover status`: HA admission control, vSphere's "host failures cluster tolerates".
 * How many host failures the protected VMs can absorb (room to restart them elsewhere, the busiest
 * hosts lost first), against what the FailoverPolicies want; and which nodes look suspect or failed
 * now, with the signals.
 */
import type { Command } from "commander";
import { failuresTolerated } from "../../core/failover/capacity-reserve.ts";
import { assessNodes } from "../../core/failover/detect.ts";
import { stormGuard } from "../../core/failover/storm-guard.ts";
import { printWarnings, readSourceInputs, type SourceFlags, withClusterSource } from "../inputs.ts";
import { parseFormat, render, table } from "../output.ts";

export function registerFailover(program: Command): void {
  const failover = program.command("failover").description("HA: admission control and node health");
  const status = failover
    .command("status")
    .description("how many host failures the protected VMs survive, and which nodes look unhealthy");
  withClusterSource(status, "assess")
    .option("-o, --output <format>", "table, json or yaml", parseFormat, "table")
    .action(async (options: SourceFlags & { output: ReturnType<typeof parseFormat> }) => {
      const { warnings, model, policies, now } = await readSourceInputs(options);
      printWarnings(warnings);
      const reserve = failuresTolerated(model, policies);
      const health = assessNodes(model, policies, now);
      const storm = stormGuard(model, health, policies);
      const unhealthy = health.filter((node) => node.state !== "healthy");
      const result = { reserve, storm, unhealthy };
      const asTable = (): string => {
        const verdict = reserve.tolerated >= reserve.wanted ? "met" : "SHORT";
        const lines = [
          `host failures tolerated: ${reserve.tolerated} (wanted ${reserve.wanted}: ${verdict})  ${reserve.reason}`,
          storm.hold ? `storm guard HOLDS all fencing: ${storm.reason}` : "storm guard: clear",
        ];
        if (unhealthy.length > 0)
          lines.push(
            table(
              ["node", "state", "why"],
              unhealthy.map((node) => [node.node, node.state, node.reason]),
            ),
          );
        return lines.join("\n");
      };
      process.stdout.write(`${render(result, options.output, asTable)}\n`);
    });
}
