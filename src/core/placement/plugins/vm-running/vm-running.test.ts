import { describe, it } from "vitest";
import { buildNode, buildVm } from "../../../../../test/support/builders.ts";
import { checkVerdict, contextFor, expectVerdict } from "../../../../../test/support/placement-context.ts";
import type { SnapshotVm } from "../../../model/snapshot.ts";
import type { Purpose } from "../../framework.ts";
import { vmRunning } from "./index.ts";

describe("VmRunning", () => {
  it.each<{ name: string; phase: SnapshotVm["phase"]; purpose?: Purpose; want: RegExp | undefined }>([
    { name: "a running VMI may move", phase: "Running", want: undefined },
    { name: "a pending VMI may not", phase: "Pending", want: /^VmRunning: the VMI is Pending, not Running$/ },
    {
      name: "a VMI still being scheduled may not",
      phase: "Scheduling",
      want: /^VmRunning: the VMI is Scheduling, not Running$/,
    },
    {
      name: "a scheduled VMI not yet running may not",
      phase: "Scheduled",
      want: /^VmRunning: the VMI is Scheduled, not Running$/,
    },
    {
      name: "a VMI that has stopped may not",
      phase: "Succeeded",
      want: /^VmRunning: the VMI is Succeeded, not Running$/,
    },
    { name: "a failed VMI may not", phase: "Failed", want: /^VmRunning: the VMI is Failed, not Running$/ },
    {
      name: "a VMI in an unknown phase may not",
      phase: "Unknown",
      want: /^VmRunning: the VMI is Unknown, not Running$/,
    },
    {
      name: "evacuation also needs a running VMI",
      phase: "Pending",
      purpose: "evacuate",
      want: /^VmRunning: the VMI is Pending/,
    },
    { name: "a restart does not need a running VMI", phase: "Failed", purpose: "restart", want: undefined },
  ])("$name", ({ phase, purpose, want }) => {
    const ctx = contextFor(
      [buildNode("n1"), buildNode("n2")],
      [
        buildVm("vm", "n1", {}, (vm) => {
          vm.phase = phase;
        }),
      ],
      { purpose: purpose ?? "balance" },
    );
    expectVerdict(checkVerdict(vmRunning, ctx, "vm"), want);
  });
});
