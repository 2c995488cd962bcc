/**
 * `kubedrs snapshot generate`: a realistic synthetic snapshot, for trying policies and benchmarks.
 * `kubedrs snapshot capture`: a live cluster's snapshot, to plan, explain or diff policies on later.
 */
import type { Command } from "commander";
import { stringify } from "yaml";
import { encodeSnapshot } from "../../core/model/snapshot-encode.ts";
import { generateSnapshot } from "../../synth/index.ts";
import type { ClusterSnapshot } from "../../core/model/snapshot.ts";
import { UserError } from "../errors.ts";
import { printWarnings, readLiveSnapshot, type SourceFlags, withLiveSource } from "../inputs.ts";
import { fraction, positiveInteger } from "./options.ts";

export function registerSnapshot(program: Command): void {
  const snapshot = program.command("snapshot").description("create cluster snapshots");
  snapshot
    .command("generate")
    .description("write a synthetic snapshot (JSON by default) to stdout")
    .requiredOption("--nodes <n>", "number of nodes", positiveInteger)
    .requiredOption("--vms <n>", "number of VMs", positiveInteger)
    .option("--seed <n>", "random seed; the same seed gives the same snapshot", positiveInteger, 1)
    .option("--hot <fraction>", "share of nodes left running hot (0..1)", fraction, 0)
    .option("-o, --output <format>", "json or yaml", "json")
    .action((options: { nodes: number; vms: number; seed: number; hot: number; output: string }) => {
      if (options.nodes < 1) throw new UserError("--nodes must be at least 1");
      writeSnapshot(generateSnapshot(options), options.output);
    });
  const capture = snapshot
    .command("capture")
    .description("write a live cluster's snapshot (objects and one usage sample) to stdout");
  withLiveSource(capture, "capture")
    .option("-o, --output <format>", "json or yaml", "json")
    .action(async (options: SourceFlags & { output: string }) => {
      if (options.kubeconfig === undefined)
        throw new UserError("snapshot capture reads a live cluster: give --kubeconfig FILE");
      const live = await readLiveSnapshot(options.kubeconfig, options);
      printWarnings(live.warnings);
      writeSnapshot(live.snapshot, options.output);
    });
}

function writeSnapshot(value: ClusterSnapshot, output: string): void {
  if (output !== "json" && output !== "yaml") throw new UserError("--output must be json or yaml");
  const encoded = encodeSnapshot(value);
  process.stdout.write(output === "json" ? `${JSON.stringify(encoded)}\n` : stringify(encoded, { lineWidth: 0 }));
}
