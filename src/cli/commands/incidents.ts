/**
 * `kubedrs incidents`: every host failure kubedrs is handling or handled, from the incident each
 * failed node carries (kubedrs.io/incident): when it was declared failed, fenced, how many of its
 * VMs run again and how long the last took; `-o json` gives the whole timelines.
 */
import type { Command } from "commander";
import { ApiClient } from "../../adapters/kube/client/api-client.ts";
import { kubeconfigAt } from "../inputs.ts";
import { type Incident, readIncident } from "../../controller/failover/incident.ts";
import { formatDuration } from "../../core/model/quantity.ts";
import { parseFormat, render, table } from "../output.ts";

function seconds(from: string, to: string | undefined): string {
  return to === undefined ? "—" : formatDuration((Date.parse(to) - Date.parse(from)) / 1000);
}

function incidentsTable(incidents: readonly Incident[]): string {
  if (incidents.length === 0) return "no host failures";
  return table(
    ["node", "phase", "failed at", "fenced after", "restarted", "last restart after", "why"],
    incidents.map((incident) => [
      incident.node,
      incident.phase,
      incident.failedAt,
      seconds(incident.failedAt, incident.fencedAt),
      `${incident.restarted.length}/${incident.vms.length}`,
      seconds(incident.failedAt, incident.restarted.at(-1)?.at),
      incident.reason,
    ]),
  );
}

export function registerIncidents(program: Command): void {
  program
    .command("incidents")
    .description("list host failures: detection, fencing and each VM's restart")
    .requiredOption("--kubeconfig <file>", "the cluster's kubeconfig")
    .option("-o, --output <format>", "table, json or yaml", parseFormat, "table")
    .action(async (options: { kubeconfig: string; output: ReturnType<typeof parseFormat> }) => {
      const api = new ApiClient(kubeconfigAt(options.kubeconfig));
      const nodes = (await api.get("/api/v1/nodes")) as {
        items?: { metadata?: { annotations?: Record<string, string> } }[];
      };
      const incidents = (nodes.items ?? [])
        .map((node) => readIncident(node.metadata?.annotations ?? {}))
        .filter((incident): incident is Incident => incident !== undefined);
      process.stdout.write(`${render(incidents, options.output, () => incidentsTable(incidents))}\n`);
    });
}
