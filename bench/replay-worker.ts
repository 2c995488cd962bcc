/**
 * One replay in its own process (bench/replay.ts runs several at once): a strategy on one trace day.
 * Prints {result, heatMap} as JSON on stdout.
 *
 *   node bench/replay-worker.ts --day 20110303 --strategy kubedrs [--scenario F] [--policies DIR]
 *     [--start packed|spread] [--accounting cloudsim|kubernetes] [--seed N]
 */
import { resolve } from "node:path";
import { readPolicies } from "../src/cli/inputs.ts";
import { dayResult, heatMap } from "../src/evaluate/day-result.ts";
import { runReplay } from "../src/evaluate/replay.ts";
import { DEFAULT_REPLAY_SCENARIO, loadDayScenario } from "../src/evaluate/scenario-day.ts";
import { REPOSITORY_ROOT } from "../src/twin/scenario/library.ts";
import { replayStrategy } from "../src/evaluate/strategies/index.ts";
import { accountingOption, packedPlacement, spreadPlacement, workloadFromScenario } from "../src/evaluate/workload.ts";
import { FileTraceLibrary } from "../src/twin/workload/trace-loader.ts";
import { option } from "./args.ts";

/** Node groups × step groups of the heat maps: 800 hosts in rows of 10, a day in 15-minute columns. */
const HEAT_MAP_SHAPE = { rows: 80, columns: 96 };

async function main(args: string[]): Promise<void> {
  const day = option(args, "--day") ?? "20110303";
  const name = option(args, "--strategy") ?? "kubedrs";
  const scenario = await loadDayScenario(option(args, "--scenario") ?? DEFAULT_REPLAY_SCENARIO, day);
  const policies = await readPolicies(option(args, "--policies") ?? resolve(REPOSITORY_ROOT, "policies"));
  const seed = Number(option(args, "--seed") ?? "1");
  const place = option(args, "--start") === "spread" ? spreadPlacement(seed) : packedPlacement;
  const accounting = accountingOption(option(args, "--accounting"));
  const workload = workloadFromScenario(scenario, new FileTraceLibrary("/"), { day, place, accounting });
  const strategy = replayStrategy(name, { policies, seed });
  const run = runReplay(workload, strategy, { clock: () => performance.now() });
  const result = dayResult(name, day, run);
  process.stdout.write(JSON.stringify({ result, heatMap: heatMap(name, day, run, HEAT_MAP_SHAPE) }));
}

await main(process.argv.slice(2));
