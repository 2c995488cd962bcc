import { describe, expect, it } from "vitest";
import { AMD_LABELS, INTEL_LABELS, buildNode, buildVm } from "../../../../../test/support/builders.ts";
import { contextFor, rawScores, withCpuLabels } from "../../../../../test/support/placement-context.ts";
import { cpuModelMatch } from "./index.ts";

const CASCADELAKE = {
  "cpu-vendor.node.kubevirt.io/Intel": "true",
  "host-model-cpu.node.kubevirt.io/Cascadelake-Server": "true",
};

describe("CpuModelMatch", () => {
  const ctx = contextFor(
    [
      buildNode("n1", {}, withCpuLabels(INTEL_LABELS)),
      buildNode("n2", {}, withCpuLabels(INTEL_LABELS)),
      buildNode("n3", {}, withCpuLabels(CASCADELAKE)),
      buildNode("n4", {}, withCpuLabels(AMD_LABELS)),
      buildNode("n5", {}, withCpuLabels({})),
    ],
    [buildVm("vm", "n1")],
  );

  it.each([
    { name: "a host like the source (same vendor and host model) scores full", node: "n2", want: 100 },
    { name: "the same vendor with another host model scores half", node: "n3", want: 50 },
    { name: "another vendor scores zero", node: "n4", want: 0 },
    { name: "a node without CPU labels scores zero", node: "n5", want: 0 },
  ])("$name", ({ node, want }) => {
    expect(rawScores(cpuModelMatch, ctx, "vm", [node])).toEqual({ [node]: want });
  });
});
