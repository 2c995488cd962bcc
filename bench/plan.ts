/**
 * The planning benchmark: plan time and peak memory at 100, 1,000 and 5,000 nodes (30 VMs a node),
 * and plan quality against DRS's one-best-move greedy on the same snapshots. Each measurement runs
 * in its own process so memory figures do not mix.
 *
 *   npm run bench -- plan [--sizes 100,1000,5000] [--quality-sizes 100,1000]
 *
 * Quality runs plan to the goal, hundreds of moves, and the greedy baseline takes minutes at
 * 1,000 nodes; at 5,000 it takes the better part of an hour, so it is off unless asked for.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { option } from "./args.ts";
import { runWorker } from "./worker-process.ts";

const WORKER = resolve(import.meta.dirname, "plan-worker.ts");

async function worker(...args: string[]): Promise<unknown> {
  return JSON.parse(await runWorker(WORKER, args)) as unknown;
}

export async function run(args: string[]): Promise<unknown> {
  const sizes = (option(args, "--sizes") ?? "100,1000,5000").split(",").map(Number);
  const qualitySizes = new Set((option(args, "--quality-sizes") ?? "100,1000").split(",").map(Number));
  const directory = await mkdtemp(join(tmpdir(), "kubedrs-bench-"));
  try {
    const results = [];
    for (const nodes of sizes) {
      const file = join(directory, `snapshot-${nodes}.json`);
      const generated = await worker("generate", String(nodes), file);
      const pass = await worker("pass", file);
      const quality = qualitySizes.has(nodes) ? await worker("quality", file) : undefined;
      results.push({ nodes, generated, pass, quality });
    }
    return {
      benchmark: "plan",
      node: process.version,
      machine: { cpus: (await import("node:os")).cpus().length },
      results,
    };
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}
