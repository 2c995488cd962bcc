import { describe, expect, it } from "vitest";
import { buildNode, buildVm } from "../../../../../test/support/builders.ts";
import {
  contextFor,
  expectVerdict,
  filterVerdict,
  labelled,
  normalizedScores,
  rawScores,
} from "../../../../../test/support/placement-context.ts";
import type { z } from "zod";
import type { Labels } from "../../../model/selectors.ts";
import type { nodeSelectorTerm } from "../../../schema/fields.ts";
import { nodeAffinity, preferredNodeAffinity } from "./index.ts";

type NodeSelectorTerm = z.input<typeof nodeSelectorTerm>;

const TARGET_LABELS = { disktype: "ssd", cores: "64", rack: "r1" };

function cluster(nodeSelector: Labels, terms?: NodeSelectorTerm[]) {
  return contextFor(
    [buildNode("n1"), buildNode("n2", {}, labelled(TARGET_LABELS))],
    [
      buildVm("web", "n1", {}, (vm) => {
        vm.nodeSelector = nodeSelector;
        if (terms)
          vm.affinity = {
            nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } },
          };
      }),
    ],
  );
}

const NONE = /^NodeAffinity: matches none of the VM's required node affinity terms$/;

describe("NodeAffinity", () => {
  it.each<{ name: string; nodeSelector?: Labels; terms?: NodeSelectorTerm[]; want: RegExp | undefined }>([
    { name: "no nodeSelector and no required affinity fits anywhere", want: undefined },
    { name: "a matching nodeSelector fits", nodeSelector: { disktype: "ssd", rack: "r1" }, want: undefined },
    {
      name: "a nodeSelector value mismatch is rejected with the node's value",
      nodeSelector: { disktype: "nvme" },
      want: /^NodeAffinity: nodeSelector disktype=nvme not matched \(node has disktype=ssd\)$/,
    },
    {
      name: "a nodeSelector label the node lacks is rejected",
      nodeSelector: { gpu: "true" },
      want: /^NodeAffinity: nodeSelector gpu=true not matched \(node has no such label\)$/,
    },
    {
      name: "In matches one of the values",
      terms: [{ matchExpressions: [{ key: "disktype", operator: "In", values: ["hdd", "ssd"] }] }],
      want: undefined,
    },
    {
      name: "In with none of the node's value is rejected",
      terms: [{ matchExpressions: [{ key: "disktype", operator: "In", values: ["hdd"] }] }],
      want: NONE,
    },
    {
      name: "In on a label the node lacks is rejected",
      terms: [{ matchExpressions: [{ key: "gpu", operator: "In", values: ["true"] }] }],
      want: NONE,
    },
    {
      name: "NotIn with the node's value is rejected",
      terms: [{ matchExpressions: [{ key: "disktype", operator: "NotIn", values: ["ssd"] }] }],
      want: NONE,
    },
    {
      name: "NotIn on a label the node lacks matches",
      terms: [{ matchExpressions: [{ key: "gpu", operator: "NotIn", values: ["true"] }] }],
      want: undefined,
    },
    {
      name: "Exists on a present label matches",
      terms: [{ matchExpressions: [{ key: "rack", operator: "Exists" }] }],
      want: undefined,
    },
    {
      name: "Exists on a missing label is rejected",
      terms: [{ matchExpressions: [{ key: "gpu", operator: "Exists" }] }],
      want: NONE,
    },
    {
      name: "DoesNotExist on a missing label matches",
      terms: [{ matchExpressions: [{ key: "gpu", operator: "DoesNotExist" }] }],
      want: undefined,
    },
    {
      name: "DoesNotExist on a present label is rejected",
      terms: [{ matchExpressions: [{ key: "rack", operator: "DoesNotExist" }] }],
      want: NONE,
    },
    {
      name: "Gt compares numerically (64 > 32)",
      terms: [{ matchExpressions: [{ key: "cores", operator: "Gt", values: ["32"] }] }],
      want: undefined,
    },
    {
      name: "Gt fails when the label is not greater (64 > 64)",
      terms: [{ matchExpressions: [{ key: "cores", operator: "Gt", values: ["64"] }] }],
      want: NONE,
    },
    {
      name: "Gt compares numbers, not strings (64 > 100 is false)",
      terms: [{ matchExpressions: [{ key: "cores", operator: "Gt", values: ["100"] }] }],
      want: NONE,
    },
    {
      name: "Gt on a non-numeric label is rejected",
      terms: [{ matchExpressions: [{ key: "disktype", operator: "Gt", values: ["1"] }] }],
      want: NONE,
    },
    {
      name: "Gt on a missing label is rejected",
      terms: [{ matchExpressions: [{ key: "gpus", operator: "Gt", values: ["0"] }] }],
      want: NONE,
    },
    {
      name: "Lt compares numerically (64 < 128)",
      terms: [{ matchExpressions: [{ key: "cores", operator: "Lt", values: ["128"] }] }],
      want: undefined,
    },
    {
      name: "Lt fails when the label is not smaller (64 < 8)",
      terms: [{ matchExpressions: [{ key: "cores", operator: "Lt", values: ["8"] }] }],
      want: NONE,
    },
    {
      name: "matchFields metadata.name In the node's name matches",
      terms: [{ matchFields: [{ key: "metadata.name", operator: "In", values: ["n2"] }] }],
      want: undefined,
    },
    {
      name: "matchFields metadata.name In another name is rejected",
      terms: [{ matchFields: [{ key: "metadata.name", operator: "In", values: ["n3"] }] }],
      want: NONE,
    },
    {
      name: "matchFields metadata.name NotIn the node's name is rejected",
      terms: [{ matchFields: [{ key: "metadata.name", operator: "NotIn", values: ["n2"] }] }],
      want: NONE,
    },
    {
      name: "expressions within a term are ANDed",
      terms: [
        {
          matchExpressions: [
            { key: "disktype", operator: "In", values: ["ssd"] },
            { key: "rack", operator: "In", values: ["r2"] },
          ],
        },
      ],
      want: NONE,
    },
    {
      name: "matchExpressions and matchFields within a term are ANDed",
      terms: [
        {
          matchExpressions: [{ key: "disktype", operator: "In", values: ["ssd"] }],
          matchFields: [{ key: "metadata.name", operator: "In", values: ["n3"] }],
        },
      ],
      want: NONE,
    },
    {
      name: "terms are ORed: a later matching term is enough",
      terms: [
        { matchExpressions: [{ key: "disktype", operator: "In", values: ["hdd"] }] },
        { matchExpressions: [{ key: "rack", operator: "In", values: ["r1"] }] },
      ],
      want: undefined,
    },
    { name: "an empty term matches nothing", terms: [{}], want: NONE },
    {
      name: "a term with empty lists matches nothing",
      terms: [{ matchExpressions: [], matchFields: [] }],
      want: NONE,
    },
    {
      name: "an empty term ORed with a matching one fits",
      terms: [{}, { matchExpressions: [{ key: "rack", operator: "Exists" }] }],
      want: undefined,
    },
    {
      name: "the nodeSelector must match as well as the affinity",
      nodeSelector: { disktype: "hdd" },
      terms: [{ matchExpressions: [{ key: "rack", operator: "Exists" }] }],
      want: /^NodeAffinity: nodeSelector disktype=hdd not matched/,
    },
  ])("$name", ({ nodeSelector, terms, want }) => {
    expectVerdict(filterVerdict(nodeAffinity, cluster(nodeSelector ?? {}, terms), "web", "n2"), want);
  });
});

describe("PreferredNodeAffinity", () => {
  const ctx = contextFor(
    [
      buildNode("n1"),
      buildNode("n2", {}, labelled({ disktype: "ssd", rack: "r1" })),
      buildNode("n3", {}, labelled({ disktype: "ssd" })),
      buildNode("n4"),
    ],
    [
      buildVm("web", "n1", {}, (vm) => {
        vm.affinity = {
          nodeAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [
              { weight: 30, preference: { matchExpressions: [{ key: "disktype", operator: "In", values: ["ssd"] }] } },
              { weight: 10, preference: { matchExpressions: [{ key: "rack", operator: "In", values: ["r1"] }] } },
              { weight: 50, preference: {} },
            ],
          },
        };
      }),
      buildVm("plain", "n1"),
    ],
  );

  it.each([
    {
      name: "sums the weights of the matching terms; an empty term matches nothing",
      vm: "web",
      want: { n2: 40, n3: 30, n4: 0 },
    },
    { name: "a VM without preferences scores every node zero", vm: "plain", want: { n2: 0, n3: 0, n4: 0 } },
  ])("$name", ({ vm, want }) => {
    expect(rawScores(preferredNodeAffinity, ctx, vm, ["n2", "n3", "n4"])).toEqual(want);
  });

  it("is normalized to the best node (max)", () => {
    expect(normalizedScores(preferredNodeAffinity, ctx, "web", ["n2", "n3", "n4"])).toEqual({ n2: 100, n3: 75, n4: 0 });
  });
});
