/** `kubedrs evacuate`'s views: the plan table (blockers first) and the --wait progress line. */
import { describe, expect, it } from "vitest";
import { evacuationTable, progressLine } from "../../src/cli/views/evacuation-view.ts";
import type { EvacuationStatus } from "../../src/controller/maintenance/evacuation-status.ts";
import { planEvacuation } from "../../src/core/evacuate/plan.ts";
import type { EvacuationPlan } from "../../src/core/evacuate/types.ts";
import { formatBytes, formatDuration } from "../../src/core/model/quantity.ts";
import { createRng } from "../../src/core/numeric/rng.ts";
import { EMPTY_POLICY_SET } from "../../src/core/policy/policy-set.ts";
import { buildNode, buildVm, modelOf } from "../support/builders.ts";

/** n1 holds two VMs that can go and two that cannot; n2 and n3 take them. */
function plan(): EvacuationPlan {
  const model = modelOf(
    [buildNode("n1"), buildNode("n2"), buildNode("n3")],
    [
      buildVm("big", "n1", { memory: "16Gi" }),
      buildVm("small", "n1", { memory: "4Gi" }),
      buildVm("pinned", "n1", {}, (vm) => {
        vm.labels = { ...vm.labels, "kubedrs.io/exclude": "true" };
      }),
      buildVm("gpu", "n1", {}, (vm) => {
        vm.liveMigratable = { status: "False", reason: "HostDeviceNotLiveMigratable" };
      }),
    ],
  );
  return planEvacuation({
    model,
    policies: EMPTY_POLICY_SET,
    now: model.takenAt,
    nodes: new Map([["n1", "kubedrs evacuate"]]),
    rng: createRng(1),
  });
}

/** Splits a table row into cells the way `kubedrs` aligns them: two or more spaces apart. */
function cells(row: string): string[] {
  return row.trim().split(/ {2,}/);
}

/** The rows under the header row that starts with `first`, up to the next blank line. */
function section(lines: readonly string[], first: string): { header: number; rows: string[][] } {
  const header = lines.findIndex((line) => line.startsWith(`${first} `));
  const end = lines.indexOf("", header);
  return { header, rows: lines.slice(header + 1, end === -1 ? undefined : end).map(cells) };
}

describe("evacuationTable", () => {
  const evacuation = plan();
  const lines = evacuationTable(evacuation).split("\n");

  it("opens with the headline: node, counts, ETA and the blockers' count", () => {
    expect(evacuation.moves).toHaveLength(2);
    expect(evacuation.blockers).toHaveLength(2);
    const { bytes, etaSeconds } = evacuation.estimate;
    expect(lines[0]).toMatch(/^evacuate n1 {2}/);
    expect(lines[0]).toContain(
      `  2 VM(s) to migrate, ${formatBytes(bytes)} to copy  ETA ${formatDuration(etaSeconds)} `,
    );
    expect(lines[0]).toContain("  2 cannot live-migrate  ");
  });

  it("lists the blockers before the moves, each with its action, who decided and why", () => {
    const blockers = section(lines, "VM");
    const moves = section(lines, "#");
    expect(blockers.header).toBeGreaterThan(0);
    expect(moves.header).toBeGreaterThan(blockers.header);
    expect(cells(lines[blockers.header] ?? "")).toEqual(["VM", "ACTION", "DECIDED BY", "WHY IT CANNOT LIVE-MIGRATE"]);
    expect(blockers.rows).toEqual(
      evacuation.blockers.map((blocker) => [
        blocker.vm,
        "Block",
        "no MaintenancePolicy matches the node: Block",
        blocker.reasons.map((reason) => `${reason.plugin}: ${reason.reason}`).join("; "),
      ]),
    );
    expect(blockers.rows.map((row) => row[0]).sort()).toEqual(["default/gpu", "default/pinned"]);
    expect(blockers.rows.find((row) => row[0] === "default/pinned")?.[3]).toMatch(/^Excluded: /);
  });

  it("numbers the moves in start order with target, copy size, start, end and why there", () => {
    const moves = section(lines, "#");
    expect(cells(lines[moves.header] ?? "")).toEqual(["#", "VM", "TO", "COPY", "STARTS", "ENDS", "WHY THERE"]);
    const timing = new Map(evacuation.estimate.timeline.map((timed) => [timed.vm, timed]));
    expect(moves.rows).toEqual(
      evacuation.moves.map((move, index) => [
        String(index + 1),
        move.vm,
        move.to,
        formatBytes(move.cost.bytes),
        `+${formatDuration(timing.get(move.vm)?.startSeconds ?? -1)}`,
        `+${formatDuration(timing.get(move.vm)?.endSeconds ?? -1)}`,
        move.reasons[1] ?? "",
      ]),
    );
    expect(moves.rows.map((row) => row[1])).toEqual(["default/big", "default/small"]);
    for (const row of moves.rows) expect(["n2", "n3"]).toContain(row[2]);
  });

  it("leaves out the blocker table when nothing is blocked", () => {
    const text = evacuationTable({ ...evacuation, blockers: [] });
    expect(text).not.toContain("DECIDED BY");
    expect(text).toContain("WHY THERE");
  });
});

function status(phase: EvacuationStatus["phase"], total: number, remaining: number): EvacuationStatus {
  return {
    phase,
    reason: "kubedrs evacuate",
    startedAt: "2026-11-22T10:00:00Z",
    updatedAt: "2026-11-22T10:05:00Z",
    vms: Array.from({ length: total }, (_, index) => `default/vm-${index}`),
    remaining,
    inFlight: 2,
    blocked: [],
    etaSeconds: 190,
    lowerBoundSeconds: 120,
    cordonedByKubedrs: true,
    restarted: [],
  };
}

describe("progressLine", () => {
  it.each<{ name: string; remaining: number; filled: number; moved: string }>([
    { name: "nothing moved yet: an empty bar", remaining: 40, filled: 0, moved: "0/40" },
    { name: "half moved: half the bar", remaining: 20, filled: 15, moved: "20/40" },
    { name: "every VM moved: a full bar", remaining: 0, filled: 30, moved: "40/40" },
  ])("$name", ({ remaining, filled, moved }) => {
    const line = progressLine(status("Evacuating", 40, remaining));
    expect(line).toBe(
      `[${"#".repeat(filled)}${"-".repeat(30 - filled)}]  ${moved} moved  2 in flight  ETA 3m10s  Evacuating`,
    );
  });

  it.each<EvacuationStatus["phase"]>(["Ready", "Blocked", "Refused", "MovingBack"])(
    "shows no ETA once the phase is %s",
    (phase) => {
      const line = progressLine(status(phase, 40, 0));
      expect(line).not.toContain("ETA");
      expect(line).toBe(`[${"#".repeat(30)}]  40/40 moved  2 in flight  ${phase}`);
    },
  );

  it("shows a full bar for an evacuation with no VMs to move", () => {
    expect(progressLine(status("Ready", 0, 0))).toBe(`[${"#".repeat(30)}]  0/0 moved  2 in flight  Ready`);
  });
});
