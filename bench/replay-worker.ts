/**
 * One replay in its own process (bench/replay.ts runs several at once): a strategy on one trace day.
 * Prints {result, heatMap} as JSON on stdout.
 *
 *   node bench/replay-worker.ts --day 20110303 --strategy kubedrs [--scenario F] [--policies DIR]
 *     [--start packed|spread] [--seed N]
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { loadPolicyDirectory } from "../src/adapters/files/policy-directory.ts";
import { dayResult, heatMap } from "../src/evaluate/day-result.ts";
import { runReplay } from "../src/evaluate/replay.ts";
import { scenarioForDay } from "../src/evaluate/scenario-day.ts";
import { replayStrategy } from "../src/evaluate/strategies/index.ts";
import { packedPlacement, spreadPlacement, workloadFromScenario } from "../src/evaluate/workload.ts";
import { loadScenarioText } from "../src/twin/scenario/index.ts";
import { FileTraceLibrary } from "../src/twin/workload/trace-loader.ts";
import { option } from "./args.ts";

const REPOSITORY = resolve(import.meta.dirname, "..");
export const DEFAULT_SCENARIO = resolve(REPOSITORY, "scenarios/planetlab-cloudsim.yaml");
export const HEAT_MAP_SHAPE = { rows: 80, columns: 96 };

async function main(args: string[]): Promise<void> {
  const day = option(args, "--day") ?? "20110303";
  const name = option(args, "--strategy") ?? "kubedrs";
  const file = option(args, "--scenario") ?? DEFAULT_SCENARIO;
  const loaded = await loadScenarioText(file, scenarioForDay(await readFile(file, "utf8"), day));
  if (!loaded.ok)
    throw new Error(loaded.errors.map((error) => `${error.file}:${error.line}: ${error.message}`).join("\n"));
  const policies = await loadPolicyDirectory(option(args, "--policies") ?? resolve(REPOSITORY, "policies"));
  if (policies.errors.length > 0) throw new Error(`policies: ${policies.errors[0]?.message ?? "invalid"}`);
  const seed = Number(option(args, "--seed") ?? "1");
  const place = option(args, "--start") === "spread" ? spreadPlacement(seed) : packedPlacement;
  const workload = workloadFromScenario(loaded.scenario, new FileTraceLibrary("/"), { day, place });
  const strategy = replayStrategy(name, { policies: policies.set, seed });
  const run = runReplay(workload, strategy, { clock: () => performance.now() });
  const result = dayResult(name, day, run);
  process.stdout.write(JSON.stringify({ result, heatMap: heatMap(name, day, run, HEAT_MAP_SHAPE) }));
}

await main(process.argv.slice(2));
