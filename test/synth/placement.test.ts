import { describe, expect, it } from "vitest";
import { buildClusterModel } from "../../src/core/model/cluster.ts";
import { LABEL } from "../../src/core/model/kubevirt-labels.ts";
import { allocateNuma, applyNuma, freeFromLayout, needsNuma } from "../../src/core/model/numa.ts";
import type { ClusterSnapshot } from "../../src/core/model/snapshot.ts";
import {
  antiAffinityViolations,
  fitsSingleNumaCells,
  nodesByName,
  overcommitted,
  placementViolations,
  snapshotFor,
  vmsOn,
} from "./checks.ts";

/** Dedicated VMs whose cells the cluster model cannot find when it replays them in its own order. */
function numaReplayMisfits(snapshot: ClusterSnapshot): string[] {
  const model = buildClusterModel(snapshot);
  const free = model.nodes.map((node) => node.numa && freeFromLayout(node.numa));
  return model.vms.flatMap((vm) => {
    const layout = model.nodes[vm.node]?.numa;
    const cells = free[vm.node];
    if (!needsNuma(vm.numaDemand)) return [];
    const assignment = layout && cells ? allocateNuma(layout, cells, vm.numaDemand) : "no NUMA";
    if (typeof assignment === "string") return [`${vm.key}: ${assignment}`];
    applyNuma(cells!, vm.numaDemand, assignment, -1);
    return [];
  });
}

const cases = [
  { nodes: 30, vms: 900, seed: 5, hot: 0 },
  { nodes: 60, vms: 1800, seed: 6, hot: 0.3 },
  // Crowded: more VMs than fit, so placement has to refuse some.
  { nodes: 12, vms: 800, seed: 7, hot: 0.5 },
];

describe.each(cases)("initial placement of %o", (options) => {
  const snapshot = snapshotFor(options);
  const nodes = nodesByName(snapshot);
  const byNode = vmsOn(snapshot);

  it("overcommits no node for any resource, pods included", () => {
    const problems = snapshot.nodes.flatMap((node) => overcommitted(node, byNode.get(node.name) ?? []));
    expect(problems).toEqual([]);
  });

  it("puts every VM on a node that satisfies its selectors, taints, CPU model and machine type", () => {
    const problems = snapshot.vms.flatMap((vm) => {
      const node = nodes.get(vm.node);
      return node ? placementViolations(vm, node) : [`${vm.name}: unknown node ${vm.node}`];
    });
    expect(problems).toEqual([]);
  });

  it("honours required anti-affinity on hostname and zone", () => {
    expect(antiAffinityViolations(snapshot)).toEqual([]);
  });

  it("fits dedicated CPUs and hugepages of each VM into one NUMA cell", () => {
    const misfits = snapshot.nodes
      .filter((node) => !fitsSingleNumaCells(node, byNode.get(node.name) ?? []))
      .map((node) => node.name);
    expect(misfits).toEqual([]);
  });

  it("lets the cluster model replay every dedicated VM's NUMA cells in its own order", () => {
    expect(numaReplayMisfits(snapshot)).toEqual([]);
  });

  it("labels each VMI with the node it runs on, and pins hostname-pinned VMs to it", () => {
    for (const vm of snapshot.vms) {
      expect(vm.labels["kubevirt.io/nodeName"]).toBe(vm.node);
      const pinned = vm.nodeSelector[LABEL.hostname];
      if (pinned !== undefined) expect(pinned).toBe(vm.node);
    }
  });
});

describe("at benchmark scale", () => {
  it("places 30 VMs per node on 1,000 nodes without overcommitting or dropping more than 1%", () => {
    const snapshot = snapshotFor({ nodes: 1000, vms: 30_000, seed: 1, hot: 0.2 });
    const byNode = vmsOn(snapshot);
    expect(snapshot.nodes.flatMap((node) => overcommitted(node, byNode.get(node.name) ?? []))).toEqual([]);
    expect(snapshot.vms.length).toBeGreaterThanOrEqual(29_700);
    // Hundreds of dedicated VMs: enough that a placement order unlike the model's would show.
    expect(numaReplayMisfits(snapshot)).toEqual([]);
  });
});
