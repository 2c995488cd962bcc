import { describe, expect, it } from "vitest";
import { buildNode, buildVm } from "../../../../../test/support/builders.ts";
import { contextFor, expectVerdict, filterVerdict, rawScores } from "../../../../../test/support/placement-context.ts";
import type { Taint, Toleration } from "../../../model/selectors.ts";
import { taintPreferNoSchedule, taintToleration } from "./index.ts";

function cluster(taints: Taint[], tolerations: Toleration[]) {
  return contextFor(
    [
      buildNode("n1"),
      buildNode("n2", {}, (node) => {
        node.taints = taints;
      }),
    ],
    [
      buildVm("web", "n1", {}, (vm) => {
        vm.tolerations = tolerations;
      }),
    ],
  );
}

const gpuTaint: Taint = { key: "dedicated", value: "gpu", effect: "NoSchedule" };
const unreachable: Taint = { key: "node.kubernetes.io/unreachable", effect: "NoExecute" };
const preferNot: Taint = { key: "spare", value: "true", effect: "PreferNoSchedule" };

describe("TaintToleration", () => {
  it.each<{ name: string; taints: Taint[]; tolerations: Toleration[]; want: RegExp | undefined }>([
    { name: "an untainted node fits", taints: [], tolerations: [], want: undefined },
    {
      name: "an untolerated NoSchedule taint is rejected",
      taints: [gpuTaint],
      tolerations: [],
      want: /^TaintToleration: untolerated taint dedicated=gpu:NoSchedule$/,
    },
    {
      name: "an untolerated NoExecute taint without a value is rejected",
      taints: [unreachable],
      tolerations: [],
      want: /^TaintToleration: untolerated taint node\.kubernetes\.io\/unreachable:NoExecute$/,
    },
    {
      name: "Equal with the taint's key and value tolerates it",
      taints: [gpuTaint],
      tolerations: [{ key: "dedicated", operator: "Equal", value: "gpu", effect: "NoSchedule" }],
      want: undefined,
    },
    {
      name: "an omitted operator means Equal",
      taints: [gpuTaint],
      tolerations: [{ key: "dedicated", value: "gpu" }],
      want: undefined,
    },
    {
      name: "Equal with another value does not tolerate",
      taints: [gpuTaint],
      tolerations: [{ key: "dedicated", operator: "Equal", value: "fpga" }],
      want: /^TaintToleration: untolerated taint dedicated=gpu:NoSchedule$/,
    },
    {
      name: "Equal without a value does not tolerate a taint with one",
      taints: [gpuTaint],
      tolerations: [{ key: "dedicated", operator: "Equal" }],
      want: /^TaintToleration: untolerated taint dedicated=gpu/,
    },
    {
      name: "Exists on the key tolerates any value",
      taints: [gpuTaint],
      tolerations: [{ key: "dedicated", operator: "Exists" }],
      want: undefined,
    },
    {
      name: "Exists on another key does not tolerate",
      taints: [gpuTaint],
      tolerations: [{ key: "dedicated-other", operator: "Exists" }],
      want: /^TaintToleration: untolerated taint dedicated=gpu:NoSchedule$/,
    },
    {
      name: "Exists with an empty key tolerates every taint",
      taints: [gpuTaint, unreachable],
      tolerations: [{ operator: "Exists" }],
      want: undefined,
    },
    {
      name: "Exists with an empty key but an effect tolerates only that effect",
      taints: [gpuTaint, unreachable],
      tolerations: [{ operator: "Exists", effect: "NoSchedule" }],
      want: /^TaintToleration: untolerated taint node\.kubernetes\.io\/unreachable:NoExecute$/,
    },
    {
      name: "a toleration for another effect does not tolerate",
      taints: [gpuTaint],
      tolerations: [{ key: "dedicated", operator: "Exists", effect: "NoExecute" }],
      want: /^TaintToleration: untolerated taint dedicated=gpu:NoSchedule$/,
    },
    {
      name: "a toleration without an effect tolerates every effect of its key",
      taints: [gpuTaint, { ...gpuTaint, effect: "NoExecute" }],
      tolerations: [{ key: "dedicated", value: "gpu" }],
      want: undefined,
    },
    {
      name: "a NoExecute toleration with tolerationSeconds still lets the VM in",
      taints: [unreachable],
      tolerations: [{ key: "node.kubernetes.io/unreachable", operator: "Exists", tolerationSeconds: 300 }],
      want: undefined,
    },
    {
      name: "the first untolerated of several taints is named",
      taints: [gpuTaint, unreachable],
      tolerations: [{ key: "dedicated", operator: "Exists" }],
      want: /^TaintToleration: untolerated taint node\.kubernetes\.io\/unreachable:NoExecute$/,
    },
    {
      name: "PreferNoSchedule never rejects, it is only scored",
      taints: [preferNot],
      tolerations: [],
      want: undefined,
    },
  ])("$name", ({ taints, tolerations, want }) => {
    expectVerdict(filterVerdict(taintToleration, cluster(taints, tolerations), "web", "n2"), want);
  });
});

describe("TaintPreferNoSchedule", () => {
  it.each<{ name: string; taints: Taint[]; tolerations: Toleration[]; want: number }>([
    { name: "an untainted node scores full", taints: [], tolerations: [], want: 100 },
    { name: "an untolerated PreferNoSchedule taint scores zero", taints: [preferNot], tolerations: [], want: 0 },
    {
      name: "a tolerated PreferNoSchedule taint scores full",
      taints: [preferNot],
      tolerations: [{ key: "spare", operator: "Exists", effect: "PreferNoSchedule" }],
      want: 100,
    },
    {
      name: "a toleration for NoSchedule does not cover PreferNoSchedule",
      taints: [preferNot],
      tolerations: [{ key: "spare", operator: "Exists", effect: "NoSchedule" }],
      want: 0,
    },
    {
      name: "NoSchedule and NoExecute taints do not count here",
      taints: [gpuTaint, unreachable],
      tolerations: [],
      want: 100,
    },
  ])("$name", ({ taints, tolerations, want }) => {
    expect(rawScores(taintPreferNoSchedule, cluster(taints, tolerations), "web", ["n2"])).toEqual({ n2: want });
  });
});
