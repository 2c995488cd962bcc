import { describe, it } from "vitest";
import { type MutableNode, buildNode, buildVm } from "../../../../../test/support/builders.ts";
import { contextFor, expectVerdict, filterVerdict } from "../../../../../test/support/placement-context.ts";
import { nodeSchedulable } from "./index.ts";

type Apply = (node: MutableNode) => void;

function setLabel(key: string, value: string | undefined): Apply {
  return (node) => {
    const labels = { ...node.labels };
    if (value === undefined) delete labels[key];
    else labels[key] = value;
    node.labels = labels;
  };
}

describe("NodeSchedulable", () => {
  it.each<{ name: string; target: Apply; want: RegExp | undefined }>([
    { name: "an uncordoned node KubeVirt marks schedulable fits", target: () => {}, want: undefined },
    {
      name: "a cordoned node is rejected",
      target: (node) => {
        node.unschedulable = true;
      },
      want: /^NodeSchedulable: node is cordoned \(spec\.unschedulable\)$/,
    },
    {
      name: "the kubedrs.io/maintenance annotation puts the node in maintenance",
      target: (node) => {
        node.annotations = { "kubedrs.io/maintenance": "firmware" };
      },
      want: /^NodeSchedulable: node is in maintenance \(annotation kubedrs\.io\/maintenance=firmware\)$/,
    },
    {
      name: "an empty kubedrs.io/maintenance annotation still means maintenance",
      target: (node) => {
        node.annotations = { "kubedrs.io/maintenance": "" };
      },
      want: /^NodeSchedulable: node is in maintenance \(annotation kubedrs\.io\/maintenance=\)$/,
    },
    {
      name: "the snapshot's maintenance field (a NodeMaintenance) puts the node in maintenance",
      target: (node) => {
        node.maintenance = { source: "NodeMaintenance", reason: "disk swap" };
      },
      want: /^NodeSchedulable: node is in maintenance \(NodeMaintenance: disk swap\)$/,
    },
    {
      name: "the snapshot's maintenance field without a reason names its source",
      target: (node) => {
        node.maintenance = { source: "kubedrs" };
      },
      want: /^NodeSchedulable: node is in maintenance \(kubedrs\)$/,
    },
    {
      name: "the maintenance field wins over the annotation in the reason",
      target: (node) => {
        node.annotations = { "kubedrs.io/maintenance": "x" };
        node.maintenance = { source: "annotation", reason: "x" };
      },
      want: /^NodeSchedulable: node is in maintenance \(annotation: x\)$/,
    },
    {
      name: "a node without kubevirt.io/schedulable does not run VMs",
      target: setLabel("kubevirt.io/schedulable", undefined),
      want: /^NodeSchedulable: node lacks kubevirt\.io\/schedulable=true/,
    },
    {
      name: "kubevirt.io/schedulable=false (virt-handler not ready) is rejected",
      target: setLabel("kubevirt.io/schedulable", "false"),
      want: /^NodeSchedulable: KubeVirt marks the node unschedulable \(kubevirt\.io\/schedulable=false\)$/,
    },
    {
      name: "a cordon is reported before maintenance and KubeVirt's label",
      target: (node) => {
        node.unschedulable = true;
        node.maintenance = { source: "kubedrs" };
        setLabel("kubevirt.io/schedulable", "false")(node);
      },
      want: /^NodeSchedulable: node is cordoned/,
    },
  ])("$name", ({ target, want }) => {
    const ctx = contextFor([buildNode("n1"), buildNode("n2", {}, target)], [buildVm("web", "n1")]);
    expectVerdict(filterVerdict(nodeSchedulable, ctx, "web", "n2"), want);
  });
});
