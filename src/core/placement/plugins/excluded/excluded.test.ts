import { describe, it } from "vitest";
import { type MutableVm, buildNode, buildVm } from "../../../../../test/support/builders.ts";
import { checkVerdict, contextFor, expectVerdict } from "../../../../../test/support/placement-context.ts";
import { excluded } from "./index.ts";

const EXCLUDED = /^Excluded: excluded with kubedrs\.io\/exclude=true on the VM or its namespace$/;

describe("Excluded", () => {
  it.each<{
    name: string;
    vm?: (vm: MutableVm) => void;
    namespace?: string;
    namespaceLabels?: Record<string, string>;
    want: RegExp | undefined;
  }>([
    { name: "a VM without the exclude mark may move", want: undefined },
    {
      name: "the label kubedrs.io/exclude=true on the VM excludes it",
      vm: (vm) => {
        vm.labels = { ...vm.labels, "kubedrs.io/exclude": "true" };
      },
      want: EXCLUDED,
    },
    {
      name: "the annotation kubedrs.io/exclude=true on the VM excludes it",
      vm: (vm) => {
        vm.annotations = { "kubedrs.io/exclude": "true" };
      },
      want: EXCLUDED,
    },
    {
      name: "the label kubedrs.io/exclude=true on the VM's namespace excludes it",
      namespaceLabels: { "kubedrs.io/exclude": "true" },
      want: EXCLUDED,
    },
    {
      name: "kubedrs.io/exclude=false excludes nothing",
      vm: (vm) => {
        vm.labels = { ...vm.labels, "kubedrs.io/exclude": "false" };
        vm.annotations = { "kubedrs.io/exclude": "false" };
      },
      namespaceLabels: { "kubedrs.io/exclude": "false" },
      want: undefined,
    },
    {
      name: "another namespace's mark does not reach the VM",
      namespace: "apps",
      namespaceLabels: { "kubedrs.io/exclude": "true" },
      want: undefined,
    },
  ])("$name", ({ vm, namespace = "default", namespaceLabels, want }) => {
    const built = buildVm("vm", "n1", {}, (input) => {
      input.namespace = namespace;
      vm?.(input);
    });
    const ctx = contextFor([buildNode("n1"), buildNode("n2")], [built], {
      snapshot: (snapshot) => {
        snapshot.namespaces = [{ name: "default", labels: namespaceLabels ?? {} }, { name: "apps" }];
      },
    });
    expectVerdict(checkVerdict(excluded, ctx, `${namespace}/vm`), want);
  });
});
