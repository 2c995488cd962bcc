import { describe, it } from "vitest";
import { buildNode, buildVm } from "../../../../../test/support/builders.ts";
import { checkVerdict, contextFor, expectVerdict } from "../../../../../test/support/placement-context.ts";
import type { MigrationPhase } from "../../../model/snapshot.ts";
import { migrationInFlight } from "./index.ts";

describe("MigrationInFlight", () => {
  it.each<{ name: string; migrations: { vm: string; phase: MigrationPhase }[]; want: RegExp | undefined }>([
    { name: "a VM without migrations may move", migrations: [], want: undefined },
    {
      name: "a running migration blocks another",
      migrations: [{ vm: "vm", phase: "Running" }],
      want: /^MigrationInFlight: a migration is already in flight \(default\/vm-move, phase Running\)$/,
    },
    {
      name: "a pending migration counts as in flight",
      migrations: [{ vm: "vm", phase: "Pending" }],
      want: /^MigrationInFlight: a migration is already in flight \(default\/vm-move, phase Pending\)$/,
    },
    {
      name: "a migration whose target pod is scheduling counts as in flight",
      migrations: [{ vm: "vm", phase: "Scheduling" }],
      want: /phase Scheduling\)$/,
    },
    {
      name: "a migration preparing its target counts as in flight",
      migrations: [{ vm: "vm", phase: "PreparingTarget" }],
      want: /phase PreparingTarget\)$/,
    },
    {
      name: "a migration without a phase yet counts as in flight",
      migrations: [{ vm: "vm", phase: "" }],
      want: /^MigrationInFlight: a migration is already in flight \(default\/vm-move, phase unset\)$/,
    },
    { name: "a succeeded migration is over", migrations: [{ vm: "vm", phase: "Succeeded" }], want: undefined },
    { name: "a failed migration is over", migrations: [{ vm: "vm", phase: "Failed" }], want: undefined },
    {
      name: "another VM's migration does not block this one",
      migrations: [{ vm: "other", phase: "Running" }],
      want: undefined,
    },
    {
      name: "a migration of a VMI missing from the snapshot blocks nothing",
      migrations: [{ vm: "gone", phase: "Running" }],
      want: undefined,
    },
  ])("$name", ({ migrations, want }) => {
    const ctx = contextFor([buildNode("n1"), buildNode("n2")], [buildVm("vm", "n1"), buildVm("other", "n1")], {
      snapshot: (snapshot) => {
        snapshot.migrations = migrations.map(({ vm, phase }) => ({
          namespace: "default",
          name: `${vm}-move`,
          vm,
          phase,
          source: "n1",
          target: "n2",
          createdAt: "2026-11-22T09:58:00Z",
        }));
      },
    });
    expectVerdict(checkVerdict(migrationInFlight, ctx, "vm"), want);
  });
});
