import { describe, expect, it } from "vitest";
import {
  AMD_LABELS,
  type MutableVm,
  type NodeInput,
  type VmInput,
  buildNode,
  buildVm,
} from "../../../test/support/builders.ts";
import { contextFor, labelled, nodeNamed, vmNamed, withCpuLabels } from "../../../test/support/placement-context.ts";
import { defaultRegistry } from "./default-plugins.ts";
import { PlacementEngine } from "./engine.ts";
import type { PlacementContext, Purpose, Rejection, ScorePlugin } from "./framework.ts";
import { PluginRegistry } from "./registry.ts";

const CASCADELAKE = {
  "cpu-vendor.node.kubevirt.io/Intel": "true",
  "host-model-cpu.node.kubevirt.io/Cascadelake-Server": "true",
  "cpu-model.node.kubevirt.io/Cascadelake-Server": "true",
  "cpu-model.node.kubevirt.io/Skylake-Server-IBRS": "true",
  "cpu-model-migration.node.kubevirt.io/Cascadelake-Server": "true",
  "cpu-model-migration.node.kubevirt.io/Skylake-Server-IBRS": "true",
  "cpu-feature.node.kubevirt.io/avx512f": "true",
};
/** A newer host that no longer lists Skylake among its migration models. */
const ICELAKE = {
  "cpu-vendor.node.kubevirt.io/Intel": "true",
  "host-model-cpu.node.kubevirt.io/Icelake-Server": "true",
  "cpu-model.node.kubevirt.io/Icelake-Server": "true",
  "cpu-model-migration.node.kubevirt.io/Icelake-Server": "true",
  "cpu-model-migration.node.kubevirt.io/Cascadelake-Server": "true",
  "cpu-feature.node.kubevirt.io/avx512f": "true",
};

const NODES: NodeInput[] = [
  buildNode("n1"),
  buildNode("n2", {}, (node) => {
    node.taints = [{ key: "dedicated", value: "gpu", effect: "NoSchedule" }];
  }),
  buildNode("n3", {}, withCpuLabels(CASCADELAKE)),
  buildNode("n4", {}, withCpuLabels(ICELAKE)),
  buildNode("n5", {}, withCpuLabels(AMD_LABELS)),
  buildNode("n6", {}, (node) => {
    node.unschedulable = true;
  }),
  buildNode("n7", {}, (node) => {
    node.conditions = [{ type: "Ready", status: "Unknown" }];
  }),
  buildNode("n8", { cpu: "3", memory: "8Gi" }, labelled({ disktype: "ssd" })),
];

const cpuModel = (model: string) => (vm: MutableVm) => {
  vm.cpu = { model };
};

/** Pairs of VMs share a spec but not a source, so a verdict cached for one would be wrong for the other. */
const VMS: VmInput[] = [
  buildVm("hm-1", "n1", {}, cpuModel("host-model")),
  buildVm("hm-2", "n3", {}, cpuModel("host-model")),
  buildVm("hm-3", "n1", {}, cpuModel("host-model")),
  buildVm("pt-1", "n1", {}, cpuModel("host-passthrough")),
  buildVm("pt-2", "n3", {}, cpuModel("host-passthrough")),
  buildVm("named-1", "n3", {}, (vm) => {
    cpuModel("Skylake-Server-IBRS")(vm);
    vm.tolerations = [{ key: "dedicated", operator: "Exists" }];
  }),
  buildVm("ssd-1", "n1", {}, (vm) => {
    vm.nodeSelector = { disktype: "ssd" };
  }),
  buildVm("amd-1", "n5", {}, cpuModel("host-model")),
];

/** The first objection of the filters in registry order, without the engine's cache. */
function uncached(ctx: PlacementContext, vm: string, node: string): Rejection | undefined {
  const vmInfo = vmNamed(ctx, vm);
  const nodeInfo = nodeNamed(ctx, node);
  if (ctx.placement.nodeOf(vmInfo.index) === nodeInfo.index)
    return { plugin: "Source", reason: "the VM already runs here" };
  for (const plugin of defaultRegistry().filters) {
    const reason = plugin.filter(ctx, vmInfo, nodeInfo);
    if (reason) return { plugin: plugin.name, reason };
  }
  return undefined;
}

const vmNames = VMS.map((vm) => vm.name);
const nodeNames = NODES.map((node) => node.name);

describe("PlacementEngine static verdict cache", () => {
  it("evaluates every static filter before any dynamic one in the default registry", () => {
    const kinds = defaultRegistry().filters.map((plugin) => plugin.static);
    expect(kinds.indexOf(false)).toBeGreaterThan(kinds.lastIndexOf(true));
  });

  it.each<{ name: string; purpose: Purpose }>([
    { name: "balance", purpose: "balance" },
    { name: "evacuate", purpose: "evacuate" },
    { name: "restart", purpose: "restart" },
  ])("gives the same verdicts as uncached evaluation ($name)", ({ purpose }) => {
    const ctx = contextFor(NODES, VMS, { purpose });
    const reference = contextFor(NODES, VMS, { purpose });
    const engine = new PlacementEngine(defaultRegistry());
    // Twice, in opposite orders, so both the first evaluation and the cache hit are compared.
    for (const pass of [0, 1]) {
      const order = pass === 0 ? vmNames : [...vmNames].reverse();
      for (const vm of order) {
        for (const node of nodeNames) {
          const want = uncached(reference, vm, node);
          expect(engine.rejection(ctx, vmNamed(ctx, vm), nodeNamed(ctx, node)), `${vm} → ${node}`).toEqual(want);
          expect(engine.rejections(ctx, vmNamed(ctx, vm), nodeNamed(ctx, node))[0], `${vm} → ${node}`).toEqual(want);
        }
      }
    }
  });

  it("tells apart VMs of one spec on different sources (host-passthrough)", () => {
    const ctx = contextFor(NODES, VMS);
    const engine = new PlacementEngine(defaultRegistry());
    expect(engine.rejection(ctx, vmNamed(ctx, "pt-1"), nodeNamed(ctx, "n8"))).toBeUndefined();
    expect(engine.rejection(ctx, vmNamed(ctx, "pt-2"), nodeNamed(ctx, "n8"))).toEqual({
      plugin: "CpuCompatibility",
      reason: expect.stringMatching(
        /host-passthrough needs the same host CPU model \(source Cascadelake-Server, node Skylake-Server-IBRS\)/,
      ),
    });
  });

  it.each([
    { name: "host-model", vm: "hm-1" },
    { name: "host-passthrough", vm: "pt-1" },
  ])("keeps agreeing with uncached evaluation after the placement moves a $name VM", ({ vm }) => {
    const ctx = contextFor(NODES, VMS);
    const reference = contextFor(NODES, VMS);
    const engine = new PlacementEngine(defaultRegistry());
    const verdicts = (on: PlacementContext) =>
      nodeNames.map((node) => engine.rejection(on, vmNamed(on, vm), nodeNamed(on, node)));
    const uncachedVerdicts = () => nodeNames.map((node) => uncached(reference, vm, node));
    expect(verdicts(ctx)).toEqual(uncachedVerdicts());
    // The static verdicts depend on the source (CPU requirements), so the cache must not serve the old ones.
    for (const on of [ctx, reference]) on.placement.move(vmNamed(on, vm), nodeNamed(on, "n3").index);
    expect(verdicts(ctx)).toEqual(uncachedVerdicts());
  });
});

describe("PlacementEngine source node", () => {
  const source = { plugin: "Source", reason: "the VM already runs here" };

  it("never offers the node a VM already runs on, though every filter would pass", () => {
    const ctx = contextFor(NODES, VMS);
    const engine = new PlacementEngine(defaultRegistry());
    const vm = vmNamed(ctx, "hm-1");
    const node = nodeNamed(ctx, "n1");
    expect(
      defaultRegistry()
        .filters.map((plugin) => plugin.filter(ctx, vm, node))
        .filter(Boolean),
    ).toEqual([]);
    expect(engine.rejection(ctx, vm, node)).toEqual(source);
    expect(engine.rejections(ctx, vm, node)).toEqual([source]);
  });

  it("moves the source with the VM", () => {
    const moved = contextFor(NODES, VMS);
    const engine = new PlacementEngine(defaultRegistry());
    const vm = vmNamed(moved, "ssd-1");
    moved.placement.move(vm, nodeNamed(moved, "n8").index);
    expect(engine.rejection(moved, vm, nodeNamed(moved, "n8"))).toEqual(source);
    expect(engine.rejection(moved, vm, nodeNamed(moved, "n1"))?.plugin).not.toBe("Source");
  });
});

describe("PlacementEngine VM checks", () => {
  it("reports the first blocker and all of them", () => {
    const ctx = contextFor(
      [buildNode("n1"), buildNode("n2")],
      [
        buildVm("vm", "n1", {}, (vm) => {
          vm.phase = "Pending";
          vm.labels = { "kubedrs.io/exclude": "true" };
        }),
      ],
    );
    const engine = new PlacementEngine(defaultRegistry());
    const vm = vmNamed(ctx, "vm");
    expect(engine.blocker(ctx, vm)?.plugin).toBe("Excluded");
    expect(engine.blockers(ctx, vm).map((rejection) => rejection.plugin)).toEqual(["Excluded", "VmRunning"]);
  });
});

/** A score plugin returning fixed raw scores per node name. */
function fixed(
  name: string,
  normalize: ScorePlugin["normalize"],
  raws: Record<string, number>,
  defaultWeight = 1,
): ScorePlugin {
  return { name, defaultWeight, normalize, score: (_ctx, _vm, node) => raws[node.name] ?? Number.NaN };
}

describe("PlacementEngine scores", () => {
  const ctx = contextFor([buildNode("n1"), buildNode("n2"), buildNode("n3"), buildNode("n4")], [buildVm("vm", "n1")]);
  const candidates = ["n2", "n3", "n4"];

  function scoresOf(plugins: ScorePlugin[], weights: Record<string, number> = {}) {
    let registry = new PluginRegistry();
    for (const plugin of plugins) registry = registry.score(plugin);
    const nodes = candidates.map((node) => nodeNamed(ctx, node));
    return new PlacementEngine(registry).score(ctx, vmNamed(ctx, "vm"), nodes, weights);
  }

  it.each<{ name: string; normalize: ScorePlugin["normalize"]; raws: number[]; want: number[] }>([
    { name: "max: scaled so the best node gets 100", normalize: "max", raws: [0, 5, 10], want: [0, 50, 100] },
    { name: "max: negative raws count as zero", normalize: "max", raws: [-5, 5, 2.5], want: [0, 100, 50] },
    {
      name: "max: all zero prefers no node, so all get the full score",
      normalize: "max",
      raws: [0, 0, 0],
      want: [100, 100, 100],
    },
    {
      name: "min-max: scaled from the worst (0) to the best (100)",
      normalize: "min-max",
      raws: [-10, 0, 10],
      want: [0, 50, 100],
    },
    {
      name: "min-max: all equal gives every node 100",
      normalize: "min-max",
      raws: [-7, -7, -7],
      want: [100, 100, 100],
    },
    { name: "none: raws are clamped to 0..100", normalize: undefined, raws: [150, -5, 42], want: [100, 0, 42] },
  ])("normalizes $name", ({ normalize, raws, want }) => {
    const plugin = fixed("Fixed", normalize, Object.fromEntries(candidates.map((node, i) => [node, raws[i] ?? 0])));
    const scores = scoresOf([plugin]);
    expect(scores.map((score) => score.terms[0]?.raw)).toEqual(raws);
    expect(scores.map((score) => score.terms[0]?.score)).toEqual(want);
    expect(scores.map((score) => score.total)).toEqual(want);
    expect(scores.map((score) => score.node)).toEqual(candidates.map((node) => nodeNamed(ctx, node).index));
  });

  const a = fixed("A", undefined, { n2: 100, n3: 0, n4: 50 }, 3);
  const b = fixed("B", undefined, { n2: 0, n3: 100, n4: 50 }, 1);

  it.each<{ name: string; weights: Record<string, number>; plugins: string[]; totals: number[] }>([
    { name: "default weights give a weighted mean", weights: {}, plugins: ["A", "B"], totals: [75, 25, 50] },
    {
      name: "policy weights override the defaults",
      weights: { A: 1, B: 3 },
      plugins: ["A", "B"],
      totals: [25, 75, 50],
    },
    { name: "a weight of 0 drops the plugin", weights: { B: 0 }, plugins: ["A"], totals: [100, 0, 50] },
    { name: "all weights 0 leave no terms and a total of 0", weights: { A: 0, B: 0 }, plugins: [], totals: [0, 0, 0] },
  ])("$name", ({ weights, plugins, totals }) => {
    const scores = scoresOf([a, b], weights);
    expect(scores.map((score) => score.terms.map((term) => term.plugin))).toEqual(candidates.map(() => plugins));
    expect(scores.map((score) => score.total)).toEqual(totals);
  });

  it("drops a plugin whose default weight is 0 unless the policy weighs it", () => {
    const off = fixed("Off", undefined, { n2: 0, n3: 100, n4: 0 }, 0);
    expect(scoresOf([a, off]).map((score) => score.terms.length)).toEqual([1, 1, 1]);
    expect(scoresOf([a, off], { Off: 3 }).map((score) => score.total)).toEqual([50, 50, 25]);
  });

  it("reports each term's weight", () => {
    const [first] = scoresOf([a, b], { B: 2 });
    expect(first?.terms).toEqual([
      { plugin: "A", raw: 100, score: 100, weight: 3 },
      { plugin: "B", raw: 0, score: 0, weight: 2 },
    ]);
  });
});
