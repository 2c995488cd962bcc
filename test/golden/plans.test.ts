/**
 * Golden plans: each scenario in scenarios/ is loaded exactly as `kubedrs plan` loads it, planned
 * with seed 1 at the snapshot's own time, and compared as pretty JSON with __golden__/<name>.plan.json.
 * Each scenario also states the facts its plan must show, checked from the snapshot's own data, so
 * regenerating the golden files (`npx vitest run test/golden -u`) cannot bless a wrong plan.
 */
import { existsSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadPolicyDirectory } from "../../src/adapters/files/policy-directory.ts";
import { loadSnapshotFile } from "../../src/adapters/files/snapshot-file.ts";
import { plan } from "../../src/core/balance/plan.ts";
import type { DomainReport, Plan } from "../../src/core/balance/plan-types.ts";
import { buildClusterModel, type ClusterModel } from "../../src/core/model/cluster.ts";
import { createRng } from "../../src/core/numeric/rng.ts";
import { formatFieldError } from "../../src/core/policy/field-error.ts";

const SCENARIOS = join(import.meta.dirname, "scenarios");
const GOLDEN = join(import.meta.dirname, "__golden__");

interface Run {
  readonly model: ClusterModel;
  readonly plan: Plan;
}

async function planScenario(name: string): Promise<Run> {
  const directory = join(SCENARIOS, name);
  const snapshot = await loadSnapshotFile(join(directory, "snapshot.yaml"));
  if (!snapshot.ok) throw new Error(snapshot.errors.map(formatFieldError).join("\n"));
  const policies = await loadPolicyDirectory(join(directory, "policies"), directory);
  if (policies.errors.length > 0) throw new Error(policies.errors.map(formatFieldError).join("\n"));
  const model = buildClusterModel(snapshot.snapshot);
  return { model, plan: plan({ model, policies: policies.set, now: model.takenAt, rng: createRng(1) }) };
}

function goldenJson(result: Plan): string {
  return `${JSON.stringify(result, null, 2)}\n`;
}

function onlyDomain(result: Plan): DomainReport {
  expect(result.domains).toHaveLength(1);
  return result.domains[0]!;
}

function labelsOf(model: ClusterModel, node: string): Readonly<Record<string, string>> {
  const index = model.nodeIndex.get(node);
  if (index === undefined) throw new Error(`no node ${node}`);
  return model.nodes[index]!.labels;
}

function vendorOf(model: ClusterModel, node: string): string | undefined {
  return Object.keys(labelsOf(model, node)).find((key) => key.startsWith("cpu-vendor.node.kubevirt.io/"));
}

/** Where every VM runs once the plan's moves are done: namespace/name → node. */
function placementAfter(run: Run): Map<string, string> {
  const where = new Map(run.model.vms.map((vm) => [vm.key, run.model.nodes[vm.node]!.name]));
  for (const move of run.plan.moves) {
    expect(where.get(move.vm), `${move.vm} moves from where it runs`).toBe(move.from);
    where.set(move.vm, move.to);
  }
  return where;
}

function vmsOn(run: Run, node: string): string[] {
  return run.model.vms.filter((vm) => run.model.nodes[vm.node]!.name === node).map((vm) => vm.key);
}

function movedVms(result: Plan): string[] {
  return result.moves.map((move) => move.vm);
}

/** Each move lowers the imbalance left by the one before it. */
function expectEachMoveLowersImbalance(result: Plan): void {
  let imbalance = result.imbalanceBefore;
  for (const move of result.moves) {
    expect(move.imbalanceAfter, move.vm).toBeLessThan(imbalance);
    imbalance = move.imbalanceAfter;
  }
}

const facts: Record<string, (run: Run) => void> = {
  skewed(run) {
    const domain = onlyDomain(run.plan);
    expect(run.plan.moves.length).toBeGreaterThan(0);
    expect(domain.imbalanceBefore).toBeGreaterThan(domain.triggerImbalance ?? Number.NaN);
    expect(domain.imbalanceAfter).toBeLessThanOrEqual(domain.goalImbalance ?? Number.NaN);
    expect(domain.outcome).toMatch(/^reached the goal/);
    for (const move of run.plan.moves) {
      expect(move.kind).toBe("balance");
      expect(["node-a", "node-b"]).toContain(move.from);
      expect(["node-c", "node-d"]).toContain(move.to);
    }
    expectEachMoveLowersImbalance(run.plan);
  },

  "hot-spot"(run) {
    const domain = onlyDomain(run.plan);
    expect(domain.imbalanceBefore).toBeLessThan(domain.triggerImbalance ?? Number.NaN);
    expect(domain.hotNodesBefore).toEqual(["node-hot"]);
    expect(domain.hotNodesAfter).not.toContain("node-hot");
    expect(run.plan.moves.length).toBeGreaterThan(0);
    for (const move of run.plan.moves) {
      expect(move.from).toBe("node-hot");
      expect(move.gain.hotSpotPoints).toBeGreaterThan(0);
      expect(move.reasons[0]).toMatch(/^node-hot is a hot spot/);
    }
  },

  "anti-affinity"(run) {
    const where = placementAfter(run);
    const dbs = [...where].filter(([vm]) => vm.startsWith("data/db-")).map(([, node]) => node);
    expect(dbs).toHaveLength(3);
    expect(new Set(dbs).size).toBe(3);
    const zones = dbs.map((node) => labelsOf(run.model, node)["topology.kubernetes.io/zone"]);
    expect(new Set(zones).size).toBe(3);
    expect(run.plan.moves.some((move) => move.from === "node-a1")).toBe(true);
    for (const move of run.plan.moves.filter((m) => m.vm.startsWith("data/"))) {
      const zone = (node: string): string | undefined => labelsOf(run.model, node)["topology.kubernetes.io/zone"];
      expect(zone(move.to), `${move.vm} stays in its zone`).toBe(zone(move.from));
    }
  },

  "mixed-cpu"(run) {
    expect(run.plan.moves.length).toBeGreaterThan(0);
    for (const move of run.plan.moves) {
      expect(vendorOf(run.model, move.to), `${move.vm} keeps its CPU vendor`).toBe(vendorOf(run.model, move.from));
    }
    expect(movedVms(run.plan)).not.toContain("hpc/solver");
    expect(run.plan.moves.some((move) => move.from === "node-intel-1")).toBe(true);
    // A host-model guest booted on Skylake needs a target that can still run Skylake.
    const hostModel = (key: string): boolean => run.model.vms[run.model.vmIndex.get(key)!]!.cpu.mode === "host-model";
    for (const move of run.plan.moves.filter((m) => m.from === "node-intel-1" && hostModel(m.vm))) {
      expect(labelsOf(run.model, move.to)["cpu-model-migration.node.kubevirt.io/Skylake-Server-IBRS"]).toBe("true");
    }
  },

  numa(run) {
    expect(run.plan.moves.length).toBeGreaterThan(0);
    expect(run.plan.moves.map((move) => move.to)).not.toContain("node-n4");
    // Every VM here is a VNF needing 12 dedicated CPUs from one cell (single-numa-node), so a node
    // holds at most as many as it has cells of 12 CPUs or more.
    const where = placementAfter(run);
    for (const node of run.model.nodes) {
      const bigCells = node.numa!.cells.filter((cell) => cell.cpus >= 12).length;
      const vnfs = [...where.values()].filter((name) => name === node.name).length;
      expect(vnfs, node.name).toBeLessThanOrEqual(bigCells);
    }
  },

  unmovable(run) {
    const domain = onlyDomain(run.plan);
    expect(run.plan.moves).toEqual([]);
    expect(domain.hotNodesAfter).toEqual(["node-1"]);
    expect(run.plan.blocked.map((entry) => entry.plugin).sort()).toEqual([
      "Excluded",
      "LiveMigratable",
      "MigrationInFlight",
    ]);
    const held = run.plan.blocked.flatMap((entry) => entry.examples.map((example) => example.vm));
    expect(held.sort()).toEqual(vmsOn(run, "node-1").sort());
    const reasons = run.plan.blocked.flatMap((entry) => entry.examples.map((example) => example.reason));
    expect(reasons.every((reason) => reason.length > 0)).toBe(true);
  },

  "rule-fix"(run) {
    const domain = onlyDomain(run.plan);
    expect(domain.aggressiveness).toBe(1);
    expect(run.plan.moves.length).toBeGreaterThan(0);
    expect(run.plan.moves.every((move) => move.kind === "rule")).toBe(true);
    const where = placementAfter(run);
    expect(labelsOf(run.model, where.get("payments/card-1")!).compliance).toBe("pci");
    expect(labelsOf(run.model, where.get("batch/etl-1")!).compliance).not.toBe("pci");
    expect(movedVms(run.plan)).not.toContain("analytics/olap-1");
    expect(domain.outcome).toMatch(/aggressiveness 1/);
  },

  balanced(run) {
    const domain = onlyDomain(run.plan);
    expect(run.plan.moves).toEqual([]);
    expect(run.plan.blocked).toEqual([]);
    expect(domain.hotNodesBefore).toEqual([]);
    expect(domain.imbalanceBefore).toBeLessThan(domain.triggerImbalance ?? Number.NaN);
    expect(domain.outcome).toMatch(/^balanced/);
  },
};

describe("golden plans", () => {
  it("has facts for every scenario directory, and a directory for every set of facts", async () => {
    const directories = (await readdir(SCENARIOS, { withFileTypes: true }))
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    expect(directories.sort()).toEqual(Object.keys(facts).sort());
  });

  it.each(Object.keys(facts))("%s: the plan shows what the scenario is about", async (name) => {
    facts[name]!(await planScenario(name));
  });

  it.each(Object.keys(facts))("%s: the plan matches its golden file", async (name) => {
    const { plan: result } = await planScenario(name);
    const golden = join(GOLDEN, `${name}.plan.json`);
    // toMatchFileSnapshot writes a missing file and passes (unless CI is set); only `-u` may create one.
    if (expect.getState().snapshotState.snapshotUpdateState !== "all") {
      expect(existsSync(golden), `${golden} is missing: run \`npx vitest run test/golden -u\` to write it`).toBe(true);
    }
    await expect(goldenJson(result)).toMatchFileSnapshot(golden);
  });

  it.each(Object.keys(facts))("%s: planning again gives the same bytes", async (name) => {
    const [first, second] = await Promise.all([planScenario(name), planScenario(name)]);
    expect(goldenJson(second.plan)).toBe(goldenJson(first.plan));
  });
});
