/**
 * `kubedrs evacuate NODE`: maintenance mode. Checks the request (a refusal cordons nothing), shows
 * the plan (blockers first, then every move with its target and timing, and the ETA), then asks
 * the kubedrs controller to carry it out by annotating the node kubedrs.io/maintenance. --dry-run
 * stops after the plan; --wait follows the progress the controller keeps on the node; --cancel
 * ends the maintenance (the controller uncordons and, if the policy says so, moves VMs back).
 */
import type { Command } from "commander";
import { ApiClient } from "../../adapters/kube/client/api-client.ts";
import { NodeWrites } from "../../controller/maintenance/node-writes.ts";
import { readEvacuationStatus, type EvacuationStatus } from "../../controller/maintenance/evacuation-status.ts";
import { planEvacuation } from "../../core/evacuate/plan.ts";
import { evacuationRefusal } from "../../core/evacuate/request.ts";
import { buildClusterModel, type ClusterModel } from "../../core/model/cluster.ts";
import { KUBEDRS } from "../../core/model/kubedrs-labels.ts";
import { createRng } from "../../core/numeric/rng.ts";
import { ExitStatus, UserError } from "../errors.ts";
import { readLiveSnapshot, type SourceFlags, withLiveSource } from "../inputs.ts";
import { parseFormat, render } from "../output.ts";
import { evacuationTable, progressLine } from "../views/evacuation-view.ts";
import { positiveInteger } from "./options.ts";

interface EvacuateFlags extends SourceFlags {
  readonly dryRun: boolean;
  readonly wait: boolean;
  readonly cancel: boolean;
  readonly reason: string;
  readonly timeout: number;
  readonly output: ReturnType<typeof parseFormat>;
}

const POLL_MS = 1_000;
/** How long --wait waits for a controller to pick the request up before saying it may not be running. */
const NO_CONTROLLER_HINT_MS = 30_000;

function nodeOf(model: ClusterModel, name: string): ClusterModel["nodes"][number] {
  const node = model.nodes[model.nodeIndex.get(name) ?? -1];
  if (!node) throw new UserError(`there is no node ${name}`);
  return node;
}

async function cancel(nodes: NodeWrites, model: ClusterModel, name: string): Promise<void> {
  const node = nodeOf(model, name);
  if (node.maintenance === undefined) throw new UserError(`node ${name} is not under maintenance`);
  if (!(KUBEDRS.maintenance in node.annotations))
    throw new UserError(`the maintenance of ${name} comes from ${node.maintenance}: delete that object to end it`);
  await nodes.annotate(name, { [KUBEDRS.maintenance]: null });
  process.stdout.write(
    `maintenance of ${name} ended: the kubedrs controller uncordons it (and moves VMs back if the MaintenancePolicy says so)\n`,
  );
}

async function readStatus(api: ApiClient, node: string): Promise<EvacuationStatus | undefined> {
  const object = (await api.get(`/api/v1/nodes/${node}`)) as { metadata?: { annotations?: Record<string, string> } };
  return readEvacuationStatus(object.metadata?.annotations ?? {}).status;
}

const EXIT = { Ready: 0, Refused: 1, Blocked: 3 } as const;

/** Follows the controller's progress on the node until the evacuation ends; returns the exit code. */
async function follow(api: ApiClient, node: string, timeoutSeconds: number): Promise<number> {
  const started = Date.now();
  let hinted = false;
  let last = "";
  while (timeoutSeconds === 0 || Date.now() - started < timeoutSeconds * 1000) {
    const status = await readStatus(api, node);
    if (!status && !hinted && Date.now() - started > NO_CONTROLLER_HINT_MS) {
      process.stderr.write("no kubedrs controller has picked the request up yet: is `kubedrs run` running?\n");
      hinted = true;
    }
    const line = status ? progressLine(status) : "waiting for the kubedrs controller";
    if (line !== last) process.stderr.write(`${line}\n`);
    last = line;
    if (status && status.phase in EXIT) {
      for (const blocked of status.blocked)
        process.stderr.write(`  ${blocked.vm}: ${blocked.action}: ${blocked.reason}\n`);
      return EXIT[status.phase as keyof typeof EXIT];
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  throw new UserError(`the evacuation of ${node} did not finish within ${timeoutSeconds}s (it goes on)`);
}

async function evacuate(name: string, flags: EvacuateFlags): Promise<number> {
  if (flags.kubeconfig === undefined) throw new UserError("evacuate acts on a live cluster: give --kubeconfig FILE");
  const live = await readLiveSnapshot(flags.kubeconfig, flags);
  const model = buildClusterModel(live.snapshot);
  const api = new ApiClient(live.kubeconfig);
  const nodes = new NodeWrites(api);
  if (flags.cancel) {
    await cancel(nodes, model, name);
    return 0;
  }
  const refusal = evacuationRefusal(model, name);
  if (refusal !== undefined) throw new UserError(`refusing to evacuate: ${refusal}`);
  const reason = new Map([[name, `annotation ${KUBEDRS.maintenance}=${flags.reason}`]]);
  const plan = planEvacuation({ model, policies: live.policies, now: live.now, nodes: reason, rng: createRng(1) });
  process.stdout.write(`${render(plan, flags.output, () => evacuationTable(plan))}\n`);
  if (flags.dryRun) return 0;
  await nodes.annotate(name, { [KUBEDRS.maintenance]: flags.reason });
  process.stderr.write(
    `node ${name} annotated ${KUBEDRS.maintenance}=${flags.reason}: the kubedrs controller cordons and evacuates it\n`,
  );
  return flags.wait ? follow(api, name, flags.timeout) : 0;
}

export function registerEvacuate(program: Command): void {
  const command = program
    .command("evacuate")
    .description(
      "put a node in maintenance: plan where each VM goes, list what cannot move, and have the controller evacuate it",
    )
    .argument("<node>", "the node to evacuate");
  withLiveSource(command, "plan")
    .option("--dry-run", "print the plan and change nothing", false)
    .option("--wait", "follow the evacuation until the node is ready for maintenance (exit 3 when VMs block it)", false)
    .option("--cancel", "end the node's maintenance: uncordon, and move VMs back if the policy says so", false)
    .option("--reason <text>", "why, recorded on the node", "kubedrs evacuate")
    .option("--timeout <seconds>", "with --wait: give up after this many seconds (0: never)", positiveInteger, 0)
    .option("-o, --output <format>", "table, json or yaml", parseFormat, "table")
    .action(async (node: string, flags: EvacuateFlags) => {
      const code = await evacuate(node, flags);
      if (code !== 0) throw new ExitStatus(code);
    });
}
