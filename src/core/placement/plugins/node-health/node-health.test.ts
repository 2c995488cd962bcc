import { describe, it } from "vitest";
import { type MutableNode, buildNode, buildVm } from "../../../../../test/support/builders.ts";
import { contextFor, expectVerdict, filterVerdict } from "../../../../../test/support/placement-context.ts";
import { nodeHealth } from "./index.ts";

type Apply = (node: MutableNode) => void;

describe("NodeHealth", () => {
  it.each<{ name: string; target: Apply; want: RegExp | undefined }>([
    { name: "a Ready node fits", target: () => {}, want: undefined },
    {
      name: "Ready=False with a reason is rejected with that reason",
      target: (node) => {
        node.conditions = [{ type: "Ready", status: "False", reason: "KubeletNotReady" }];
      },
      want: /^NodeHealth: node is not ready: Ready=False \(KubeletNotReady\)$/,
    },
    {
      name: "Ready=False without a reason is rejected",
      target: (node) => {
        node.conditions = [{ type: "Ready", status: "False" }];
      },
      want: /^NodeHealth: node is not ready: Ready=False$/,
    },
    {
      name: "Ready=Unknown (the kubelet stopped reporting) is rejected",
      target: (node) => {
        node.conditions = [{ type: "Ready", status: "Unknown", reason: "NodeStatusUnknown" }];
      },
      want: /^NodeHealth: node is not ready: Ready=Unknown \(NodeStatusUnknown\)$/,
    },
    {
      name: "a node reporting conditions but no Ready condition is rejected",
      target: (node) => {
        node.conditions = [{ type: "MemoryPressure", status: "False" }];
      },
      want: /^NodeHealth: node is not ready: no Ready condition reported$/,
    },
    {
      name: "a node reporting no conditions at all is rejected",
      target: (node) => {
        node.conditions = [];
      },
      want: /^NodeHealth: node is not ready: no Ready condition reported$/,
    },
    {
      name: "a Ready node fenced with the out-of-service taint is rejected",
      target: (node) => {
        node.taints = [{ key: "node.kubernetes.io/out-of-service", value: "nodeshutdown", effect: "NoExecute" }];
      },
      want: /^NodeHealth: node is out of service/,
    },
    {
      name: "the out-of-service taint counts whatever its effect",
      target: (node) => {
        node.taints = [{ key: "node.kubernetes.io/out-of-service", effect: "NoSchedule" }];
      },
      want: /^NodeHealth: node is out of service/,
    },
    {
      name: "other taints are left to TaintToleration",
      target: (node) => {
        node.taints = [{ key: "node.kubernetes.io/unreachable", effect: "NoExecute" }];
      },
      want: undefined,
    },
    {
      name: "not being Ready is reported before the out-of-service taint",
      target: (node) => {
        node.conditions = [{ type: "Ready", status: "Unknown" }];
        node.taints = [{ key: "node.kubernetes.io/out-of-service", effect: "NoExecute" }];
      },
      want: /^NodeHealth: node is not ready: Ready=Unknown$/,
    },
  ])("$name", ({ target, want }) => {
    const ctx = contextFor([buildNode("n1"), buildNode("n2", {}, target)], [buildVm("web", "n1")]);
    expectVerdict(filterVerdict(nodeHealth, ctx, "web", "n2"), want);
  });
});
