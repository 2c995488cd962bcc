import { describe, expect, it } from "vitest";
import { type MutableNode, type NodeInput, buildNode, buildVm, modelOf } from "../../../test/support/builders.ts";
import { evacuationRefusal, withMaintenance } from "./request.ts";

const notReady = (node: MutableNode): void => {
  node.conditions = [{ type: "Ready", status: "False", reason: "KubeletNotReady" }];
};

describe("evacuationRefusal", () => {
  it.each<{ name: string; nodes: NodeInput[]; evacuate: string; want: RegExp | undefined }>([
    {
      name: "a node that is not in the cluster",
      nodes: [buildNode("n1"), buildNode("n2")],
      evacuate: "n9",
      want: /^there is no node n9$/,
    },
    {
      name: "a node with the kubedrs.io/maintenance annotation",
      nodes: [
        buildNode("n1", {}, (node) => {
          node.annotations = { "kubedrs.io/maintenance": "firmware" };
        }),
        buildNode("n2"),
      ],
      evacuate: "n1",
      want: /^node n1 is already under maintenance \(annotation kubedrs\.io\/maintenance=firmware\)$/,
    },
    {
      name: "a node whose snapshot maintenance field is set (a NodeMaintenance)",
      nodes: [
        buildNode("n1", {}, (node) => {
          node.maintenance = { source: "NodeMaintenance", reason: "disk swap" };
        }),
        buildNode("n2"),
      ],
      evacuate: "n1",
      want: /^node n1 is already under maintenance \(NodeMaintenance: disk swap\)$/,
    },
    {
      name: "the last node when every other one is cordoned or NotReady",
      nodes: [
        buildNode("n1"),
        buildNode("n2", {}, (node) => {
          node.unschedulable = true;
        }),
        buildNode("n3", {}, notReady),
      ],
      evacuate: "n1",
      want: /^node n1 is the last node that can run VMs/,
    },
    {
      name: "the last node when the others are fenced, in maintenance or not KubeVirt-schedulable",
      nodes: [
        buildNode("n1"),
        buildNode("n2", {}, (node) => {
          node.taints = [{ key: "node.kubernetes.io/out-of-service", value: "nodeshutdown", effect: "NoExecute" }];
        }),
        buildNode("n3", {}, (node) => {
          node.annotations = { "kubedrs.io/maintenance": "bios" };
        }),
        buildNode("n4", {}, (node) => {
          node.labels = { ...node.labels, "kubevirt.io/schedulable": "false" };
        }),
      ],
      evacuate: "n1",
      want: /^node n1 is the last node that can run VMs/,
    },
    {
      name: "the only node of the cluster",
      nodes: [buildNode("n1")],
      evacuate: "n1",
      want: /^node n1 is the last node that can run VMs/,
    },
    {
      name: "a node with one other node that takes VMs (valid)",
      nodes: [
        buildNode("n1"),
        buildNode("n2", {}, (node) => {
          node.unschedulable = true;
        }),
        buildNode("n3"),
      ],
      evacuate: "n1",
      want: undefined,
    },
    {
      // Evacuating a node that is itself cordoned or NotReady is what maintenance is for.
      name: "a cordoned, NotReady node while others take VMs (valid)",
      nodes: [
        buildNode("n1", {}, (node) => {
          node.unschedulable = true;
          notReady(node);
        }),
        buildNode("n2"),
      ],
      evacuate: "n1",
      want: undefined,
    },
  ])("$name", ({ nodes, evacuate, want }) => {
    const refusal = evacuationRefusal(modelOf(nodes, []), evacuate);
    if (want === undefined) expect(refusal).toBeUndefined();
    else expect(refusal).toMatch(want);
  });
});

describe("withMaintenance", () => {
  const nodes = [
    buildNode("n1"),
    buildNode("n2"),
    buildNode("n3", {}, (node) => {
      node.maintenance = { source: "NodeMaintenance", reason: "older" };
    }),
  ];
  const model = modelOf(nodes, [buildVm("vm-a", "n1"), buildVm("vm-b", "n2")]);

  it("puts only the named nodes in maintenance, cordoned, with the reason given", () => {
    const after = withMaintenance(model, new Map([["n1", "kubedrs evacuate"]]));
    expect(after.nodes.map((node) => [node.name, node.maintenance, node.unschedulable])).toEqual([
      ["n1", "kubedrs evacuate", true],
      ["n2", undefined, false],
      ["n3", "NodeMaintenance: older", false],
    ]);
    // The others are the very same objects, and the input model is left as it was.
    expect(after.nodes[1]).toBe(model.nodes[1]);
    expect(model.nodes[0]?.maintenance).toBeUndefined();
    expect(model.nodes[0]?.unschedulable).toBe(false);
    expect(after.vms).toBe(model.vms);
  });

  it("keeps the reason of a node already in maintenance and ignores names not in the cluster", () => {
    const after = withMaintenance(
      model,
      new Map([
        ["n3", "newer"],
        ["n9", "nowhere"],
      ]),
    );
    expect(after.nodes[2]).toBe(model.nodes[2]);
    expect(after.nodes.map((node) => node.maintenance)).toEqual([undefined, undefined, "NodeMaintenance: older"]);
  });

  it("returns the model itself when no node is named", () => {
    expect(withMaintenance(model, new Map())).toBe(model);
  });

  it("makes a refusal of the named node's evacuation follow", () => {
    const after = withMaintenance(model, new Map([["n2", "firmware"]]));
    expect(evacuationRefusal(model, "n2")).toBeUndefined();
    expect(evacuationRefusal(after, "n2")).toBe("node n2 is already under maintenance (firmware)");
    // n1 is now the last node that takes VMs (n2 in maintenance, n3 under a NodeMaintenance).
    expect(evacuationRefusal(after, "n1")).toMatch(/^node n1 is the last node that can run VMs/);
  });
});
