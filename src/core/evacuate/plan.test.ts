import { describe, expect, it } from "vitest";
import { buildNode, buildVm, modelOf, NOW } from "../../../test/support/builders.ts";
import { loadScenario } from "../../../test/support/scenarios.ts";
import type { ClusterModel } from "../model/cluster.ts";
import { createRng } from "../numeric/rng.ts";
import { policyDocumentSchemas } from "../policy/document.ts";
import { EMPTY_POLICY_SET, type PolicySet } from "../policy/policy-set.ts";
import { describeEta, planEvacuation } from "./plan.ts";
import type { EvacuationPlan } from "./types.ts";

function evacuate(model: ClusterModel, policies: PolicySet, ...nodes: string[]): EvacuationPlan {
  return planEvacuation({
    model,
    policies,
    now: model.takenAt,
    nodes: new Map(nodes.map((node) => [node, "kubedrs evacuate"])),
    rng: createRng(1),
  });
}

/** Leave the licence server, restart the ML namespace elsewhere, block the rest. */
const hostsPolicy = policyDocumentSchemas.MaintenancePolicy.parse({
  apiVersion: "kubedrs.io/v1alpha1",
  kind: "MaintenancePolicy",
  metadata: { name: "hosts" },
  spec: {
    unmigratable: {
      defaultAction: "Block",
      rules: [
        { vms: { namespaces: ["ml"] }, action: "ShutdownAndRestartElsewhere" },
        { vms: { selector: { matchLabels: { app: "license-server" } } }, action: "Leave" },
      ],
    },
  },
});

describe("planEvacuation on the golden scenario `unmovable` (node-1: every VM held for its own reason)", () => {
  // From the snapshot's comments: each VM on node-1 and what holds it.
  const held = [
    {
      vm: "apps/license-server",
      reasons: [/^Excluded: excluded with kubedrs\.io\/exclude=true/],
      rule: "rule 2",
      action: "Leave",
    },
    { vm: "legacy/mainframe-gw", reasons: [/^Excluded: /], rule: "defaultAction", action: "Block" },
    {
      vm: "ml/trainer",
      reasons: [/^LiveMigratable: GPU passthrough \(nvidia\.com\/GA100_A100_PCIE_40GB\)/],
      rule: "rule 1",
      action: "ShutdownAndRestartElsewhere",
    },
    {
      vm: "db/oracle",
      reasons: [/^LiveMigratable: volume data \(PVC oracle-data\) is ReadWriteOnce/],
      rule: "defaultAction",
      action: "Block",
    },
    {
      vm: "net/router",
      reasons: [/^LiveMigratable: KubeVirt reports LiveMigratable=False \(InterfaceNotLiveMigratable/],
      rule: "defaultAction",
      action: "Block",
    },
  ];

  it("moves nothing, lists every held VM with its reasons and the policy's action, and the running migration as in flight", async () => {
    const { model, policies } = await loadScenario("unmovable");
    const plan = evacuate(model, { ...policies, maintenance: [hostsPolicy] }, "node-1");
    expect(plan.moves).toEqual([]);
    expect(plan.inFlight).toEqual(["apps/reports"]);
    expect(plan.maintenancePolicy).toBe("hosts");
    const blockers = new Map(plan.blockers.map((blocker) => [blocker.vm, blocker]));
    expect([...blockers.keys()].sort()).toEqual(held.map((entry) => entry.vm).sort());
    for (const entry of held) {
      const blocker = blockers.get(entry.vm);
      expect(blocker?.node).toBe("node-1");
      const reasons = blocker?.reasons.map((reason) => `${reason.plugin}: ${reason.reason}`) ?? [];
      expect(reasons).toHaveLength(entry.reasons.length);
      entry.reasons.forEach((pattern, index) => expect(reasons[index]).toMatch(pattern));
      expect(blocker?.action).toBe(entry.action);
      expect(blocker?.decidedBy).toBe(`MaintenancePolicy hosts ${entry.rule}`);
    }
    // Three Block blockers stay: the node is not ready for maintenance after the moves.
    expect(plan.readyAfterMoves).toBe(false);
    expect(plan.estimate.etaSeconds).toBe(0);
  });

  it("blocks every held VM when no MaintenancePolicy matches the node", async () => {
    const { model, policies } = await loadScenario("unmovable");
    const plan = evacuate(model, policies, "node-1");
    expect(plan.maintenancePolicy).toBe("default");
    expect(plan.blockers.map((blocker) => [blocker.action, blocker.decidedBy])).toEqual(
      held.map(() => ["Block", "no MaintenancePolicy matches the node: Block"]),
    );
  });

  it("is ready for maintenance when the policy leaves or restarts every held VM", async () => {
    const { model, policies } = await loadScenario("unmovable");
    const lenient = {
      ...hostsPolicy,
      spec: {
        ...hostsPolicy.spec,
        unmigratable: { ...hostsPolicy.spec.unmigratable, defaultAction: "Leave" as const },
      },
    };
    const plan = evacuate(model, { ...policies, maintenance: [lenient] }, "node-1");
    expect(plan.blockers.map((blocker) => blocker.action).sort()).toEqual([
      "Leave",
      "Leave",
      "Leave",
      "Leave",
      "ShutdownAndRestartElsewhere",
    ]);
    expect(plan.readyAfterMoves).toBe(true);
  });
});

describe("planEvacuation on the golden scenario `skewed` (two busy nodes, two idle)", () => {
  it("moves every VM off node-a to the idle nodes, spread over both, and evens the cluster out", async () => {
    const { model, policies } = await loadScenario("skewed");
    const plan = evacuate(model, policies, "node-a");
    const onA = model.vms.filter((vm) => model.nodes[vm.node]?.name === "node-a").map((vm) => vm.key);
    expect(onA).toHaveLength(5);
    expect(plan.moves.map((move) => move.vm).sort()).toEqual(onA.sort());
    expect(plan.blockers).toEqual([]);
    expect(plan.inFlight).toEqual([]);
    expect(plan.readyAfterMoves).toBe(true);
    // node-b already runs at ~58% CPU, node-c and node-d near idle: the five VMs (~20 cores) go to those two.
    expect(new Set(plan.moves.map((move) => move.to))).toEqual(new Set(["node-c", "node-d"]));
    expect(plan.moves.every((move) => move.from === "node-a" && move.kind === "evacuate")).toBe(true);
    expect(plan.imbalanceAfter).toBeLessThan(plan.imbalanceBefore);
    // The moves start in the timeline's order, and the ETA is no better than its lower bound.
    expect(plan.moves.map((move) => move.vm)).toEqual(plan.estimate.timeline.map((timed) => timed.vm));
    expect(plan.estimate.etaSeconds).toBeGreaterThanOrEqual(plan.estimate.lowerBoundSeconds);
    expect(describeEta(plan)).toMatch(/^ETA \S+ \(lower bound \S+\)$/);
    expect(plan.metadata).toEqual({
      name: "evacuate-node-a",
      createdAt: "2026-11-22T10:00:00.000Z",
      snapshot: "skewed",
    });
  });
});

describe("planEvacuation on small clusters", () => {
  it("gives every reason a VM cannot live-migrate, not only the first", () => {
    const model = modelOf(
      [buildNode("n1"), buildNode("n2")],
      [
        buildVm("stuck", "n1", {}, (vm) => {
          vm.liveMigratable = { status: "False", reason: "HostDeviceNotLiveMigratable" };
          vm.hostDevices = [{ name: "gpu0", deviceName: "nvidia.com/GA102GL_A10", kind: "gpu" }];
          vm.volumes = [
            { name: "data", source: "persistentVolumeClaim", claimName: "d", accessModes: ["ReadWriteOnce"] },
          ];
        }),
      ],
    );
    const plan = evacuate(model, EMPTY_POLICY_SET, "n1");
    expect(plan.blockers).toHaveLength(1);
    expect(plan.blockers[0]?.reasons.map((reason) => reason.plugin)).toEqual([
      "LiveMigratable",
      "LiveMigratable",
      "LiveMigratable",
    ]);
    expect(plan.blockers[0]?.reasons.map((reason) => reason.reason).join(" | ")).toMatch(
      /LiveMigratable=False.*\| GPU passthrough.*\| volume data \(PVC d\) is ReadWriteOnce/,
    );
  });

  it("says why no node can take a VM when every other node is full", () => {
    const model = modelOf(
      [buildNode("n1"), buildNode("n2", { cpu: "4", memory: "8Gi" })],
      [buildVm("small", "n2", { cpu: "3", memory: "6Gi" }), buildVm("big", "n1", { cpu: "8", memory: "16Gi" })],
    );
    const plan = evacuate(model, EMPTY_POLICY_SET, "n1");
    expect(plan.moves).toEqual([]);
    expect(plan.blockers.map((blocker) => [blocker.vm, blocker.action])).toEqual([["default/big", "Block"]]);
    expect(plan.blockers[0]?.reasons).toEqual([
      { plugin: "NoFeasibleTarget", reason: expect.stringMatching(/^no node can take it: .*ResourcesFit/) as string },
    ]);
  });

  it("never targets another node being evacuated, and stops at a target's capacity", () => {
    // n1 and n2 are evacuated together; n3 fits two of the four 16 GiB VMs, n4 the other two.
    const nodes = ["n1", "n2", "n3", "n4"].map((name) =>
      buildNode(name, name === "n3" || name === "n4" ? { cpu: "8", memory: "36Gi" } : {}),
    );
    const vms = ["a", "b", "c", "d"].map((name, index) =>
      buildVm(name, index < 2 ? "n1" : "n2", { cpu: "2", memory: "16Gi" }),
    );
    const plan = evacuate(modelOf(nodes, vms), EMPTY_POLICY_SET, "n1", "n2");
    expect(plan.nodes).toEqual(["n1", "n2"]);
    expect(plan.blockers).toEqual([]);
    const perTarget = new Map<string, number>();
    for (const move of plan.moves) perTarget.set(move.to, (perTarget.get(move.to) ?? 0) + 1);
    expect(Object.fromEntries(perTarget)).toEqual({ n3: 2, n4: 2 });
  });

  it("plans at the time it is given", () => {
    const model = modelOf([buildNode("n1"), buildNode("n2")], [buildVm("a", "n1")]);
    const plan = planEvacuation({
      model,
      policies: EMPTY_POLICY_SET,
      now: NOW + 60_000,
      nodes: new Map([["n1", "x"]]),
      rng: createRng(1),
    });
    expect(plan.metadata.createdAt).toBe("2026-11-22T10:01:00.000Z");
    expect(plan.moves[0]?.reasons[0]).toBe("evacuating n1: x");
  });
});
