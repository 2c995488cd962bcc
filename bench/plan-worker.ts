/**
 * One measurement in a fresh process, so peak memory is this measurement's alone:
 *   generate NODES FILE   write a synthetic snapshot (30 VMs a node, 20% of nodes hot)
 *   pass FILE             load it as `kubedrs plan` does, then time planning passes
 *   quality FILE          plan to the goal with kubedrs, then run DRS greedy to the same imbalance
 */
import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { loadPolicyDirectory } from "../src/adapters/files/policy-directory.ts";
import { loadSnapshotFile } from "../src/adapters/files/snapshot-file.ts";
import { drsGreedy } from "../src/baselines/drs-greedy.ts";
import { plan } from "../src/core/balance/plan.ts";
import { buildClusterModel, type ClusterModel } from "../src/core/model/cluster.ts";
import { encodeSnapshot } from "../src/core/model/snapshot-encode.ts";
import { createRng } from "../src/core/numeric/rng.ts";
import type { PolicySet } from "../src/core/policy/policy-set.ts";
import { generateSnapshot } from "../src/synth/index.ts";

const VMS_PER_NODE = 30;
const HOT = 0.2;
const PASS_RUNS = 5;
const GIB = 2 ** 30;

function elapsed(start: number): number {
  return Math.round((performance.now() - start) * 10) / 10;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

async function load(
  file: string,
): Promise<{ model: ClusterModel; policies: PolicySet; loadMs: number; modelMs: number }> {
  let start = performance.now();
  const loaded = await loadSnapshotFile(file);
  if (!loaded.ok) throw new Error(`bad snapshot ${file}`);
  const loadMs = elapsed(start);
  start = performance.now();
  const model = buildClusterModel(loaded.snapshot);
  const modelMs = elapsed(start);
  const policies = await loadPolicyDirectory(resolve(import.meta.dirname, "policies"));
  if (policies.errors.length > 0) throw new Error("bad bench policies");
  return { model, policies: policies.set, loadMs, modelMs };
}

async function generate(nodes: number, file: string): Promise<unknown> {
  const start = performance.now();
  const snapshot = generateSnapshot({ nodes, vms: nodes * VMS_PER_NODE, seed: 1, hot: HOT });
  await writeFile(file, JSON.stringify(encodeSnapshot(snapshot)));
  return { nodes, vms: snapshot.vms.length, generateMs: elapsed(start) };
}

async function pass(file: string): Promise<unknown> {
  const { model, policies, loadMs, modelMs } = await load(file);
  const times: number[] = [];
  let last: ReturnType<typeof plan> | undefined;
  for (let run = 0; run < PASS_RUNS; run += 1) {
    const start = performance.now();
    last = plan({ model, policies, now: model.takenAt, rng: createRng(1) });
    times.push(elapsed(start));
  }
  return {
    nodes: model.nodes.length,
    vms: model.vms.length,
    loadMs,
    modelMs,
    passMs: { first: times[0], median: median(times), all: times },
    moves: last?.moves.length,
    imbalanceBefore: last?.imbalanceBefore,
    imbalanceAfter: last?.imbalanceAfter,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

async function quality(file: string): Promise<unknown> {
  const { model, policies } = await load(file);
  const general = { ...policies, balance: policies.balance.filter((policy) => policy.metadata.name === "general") };
  let start = performance.now();
  const ours = plan({ model, policies: general, now: model.takenAt, rng: createRng(1), maxMoves: 1_000_000 });
  const oursMs = elapsed(start);
  const domain = ours.domains[0];
  start = performance.now();
  const greedy = drsGreedy({
    model,
    policies: general,
    now: model.takenAt,
    targetImbalance: ours.imbalanceAfter,
    maxMoves: 1_000_000,
  });
  const greedyMs = elapsed(start);
  const kubedrs = {
    migrations: ours.moves.length,
    bytesGiB: Math.round(ours.bytesToMove / GIB),
    imbalanceAfter: ours.imbalanceAfter,
    ms: oursMs,
    outcome: domain?.outcome,
  };
  const baseline = {
    migrations: greedy.moves.length,
    bytesGiB: Math.round(greedy.bytes / GIB),
    imbalanceAfter: greedy.imbalanceAfter,
    ms: greedyMs,
  };
  return {
    nodes: model.nodes.length,
    imbalanceBefore: ours.imbalanceBefore,
    kubedrs,
    drsGreedy: baseline,
    ratio: {
      migrations: baseline.migrations ? Math.round((1000 * kubedrs.migrations) / baseline.migrations) / 1000 : null,
      bytes: greedy.bytes ? Math.round((1000 * ours.bytesToMove) / greedy.bytes) / 1000 : null,
    },
  };
}

const [mode, first, second] = process.argv.slice(2);
const result =
  mode === "generate"
    ? await generate(Number(first), String(second))
    : mode === "pass"
      ? await pass(String(first))
      : await quality(String(first));
process.stdout.write(JSON.stringify(result));
