import { describe, expect, it } from "vitest";
import { type NodeInput, buildNode, buildVm } from "../../../../../test/support/builders.ts";
import { contextFor, labelled, rawScores } from "../../../../../test/support/placement-context.ts";
import { migrationCost } from "./index.ts";

function node(name: string, zone: string, bandwidth?: number): NodeInput {
  return buildNode(name, {}, (input) => {
    labelled({ "topology.kubernetes.io/zone": zone })(input);
    if (bandwidth !== undefined) input.migrationBandwidth = bandwidth;
  });
}

describe("MigrationCost", () => {
  it.each([
    {
      name: "the same zone at the source's bandwidth costs nothing",
      source: 1e9,
      target: node("n2", "zone-a", 1e9),
      want: 100,
    },
    { name: "crossing zones halves the score", source: 1e9, target: node("n2", "zone-b", 1e9), want: 50 },
    {
      name: "a target with half the source's bandwidth halves the score",
      source: 1e9,
      target: node("n2", "zone-a", 5e8),
      want: 50,
    },
    {
      name: "more bandwidth than the source's does not score above full",
      source: 1e9,
      target: node("n2", "zone-a", 1e10),
      want: 100,
    },
    { name: "crossing zones to a slower target compounds", source: 1e9, target: node("n2", "zone-b", 5e8), want: 25 },
    {
      name: "a target without a bandwidth gets KubeVirt's default (1.25 GB/s)",
      source: 2.5e9,
      target: node("n2", "zone-a"),
      want: 50,
    },
    {
      name: "a source without a bandwidth gets KubeVirt's default too",
      source: undefined,
      target: node("n2", "zone-a", 6.25e8),
      want: 50,
    },
  ])("$name", ({ source, target, want }) => {
    const ctx = contextFor([node("n1", "zone-a", source), target], [buildVm("vm", "n1")]);
    expect(rawScores(migrationCost, ctx, "vm", ["n2"]).n2).toBeCloseTo(want);
  });
});
