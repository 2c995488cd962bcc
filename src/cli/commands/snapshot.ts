/** `kubedrs snapshot generate`: a realistic synthetic snapshot, for trying policies and benchmarks. */
import type { Command } from "commander";
import { stringify } from "yaml";
import { encodeSnapshot } from "../../core/model/snapshot-encode.ts";
import { generateSnapshot } from "../../synth/index.ts";
import { UserError } from "../errors.ts";
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
      if (options.output !== "json" && options.output !== "yaml") throw new UserError("--output must be json or yaml");
      const encoded = encodeSnapshot(generateSnapshot(options));
      process.stdout.write(
        options.output === "json" ? `${JSON.stringify(encoded)}\n` : stringify(encoded, { lineWidth: 0 }),
      );
    });
}
