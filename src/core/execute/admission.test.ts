import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type ActiveMigration, type MigrationLimits, type PendingMove, admitMoves } from "./admission.ts";

const LIMITS: MigrationLimits = { cluster: 3, outboundPerNode: 2, inboundPerNode: 1 };

function move(vm: string, from: string, to: string, after: string[] = []): PendingMove {
  return { vm, from, to, limits: LIMITS, after };
}

const started = (pending: PendingMove[], active: ActiveMigration[] = []): string[] =>
  admitMoves(pending, active).start.map((admitted) => admitted.vm);

describe("admitMoves", () => {
  it.each<[string, PendingMove[], ActiveMigration[], string[]]>([
    ["starts moves in plan order", [move("a", "n1", "n2"), move("b", "n3", "n4")], [], ["a", "b"]],
    [
      "holds the cluster limit",
      [move("a", "n1", "n2"), move("b", "n3", "n4"), move("c", "n5", "n6"), move("d", "n7", "n8")],
      [],
      ["a", "b", "c"],
    ],
    [
      "counts migrations kubedrs did not start",
      [move("a", "n1", "n2"), move("b", "n3", "n4")],
      [
        { vm: "x", source: "n9", target: undefined },
        { vm: "y", source: "n8", target: undefined },
      ],
      ["a"],
    ],
    [
      "holds the outbound limit per node",
      [move("a", "n1", "n2"), move("b", "n1", "n3"), move("c", "n1", "n4")],
      [],
      ["a", "b"],
    ],
    ["holds the inbound limit per node", [move("a", "n1", "n2"), move("b", "n3", "n2")], [], ["a"]],
    ["never a second migration of one VM", [move("a", "n1", "n2")], [{ vm: "a", source: "n1", target: "n5" }], []],
    ["waits for the moves it depends on", [move("a", "n1", "n2"), move("b", "n2", "n3", ["a"])], [], ["a"]],
    ["starts once what it depends on is done", [move("b", "n2", "n3", ["a"])], [], ["b"]],
  ])("%s", (_name, pending, active, expected) => {
    expect(started(pending, active)).toEqual(expected);
  });

  it("says why a move waits", () => {
    const { waiting } = admitMoves([move("a", "n1", "n2"), move("b", "n3", "n2")], []);
    expect(waiting).toEqual([{ move: move("b", "n3", "n2"), reason: "n2 already receives 1 (limit 1)" }]);
  });

  const nodes = fc.constantFrom("n1", "n2", "n3", "n4");
  const vms = fc.constantFrom("a", "b", "c", "d", "e", "f");
  const moves = fc.array(
    fc.record({ vm: vms, from: nodes, to: nodes }).filter((m) => m.from !== m.to),
    { maxLength: 12 },
  );
  const actives = fc.array(fc.record({ vm: vms, source: nodes, target: fc.option(nodes, { nil: undefined }) }), {
    maxLength: 4,
  });

  it("never exceeds a limit nor migrates one VM twice, whatever is already in flight", () => {
    fc.assert(
      fc.property(moves, actives, (drafts, active) => {
        const pending = drafts.map((draft) => move(draft.vm, draft.from, draft.to));
        const { start } = admitMoves(pending, active);
        const all = [...active.map((a) => ({ vm: a.vm, from: a.source, to: a.target })), ...start];
        const newVms = start.map((m) => m.vm);
        expect(new Set(newVms).size).toBe(newVms.length);
        for (const vm of newVms) expect(active.some((a) => a.vm === vm)).toBe(false);
        if (start.length > 0) expect(all.length).toBeLessThanOrEqual(Math.max(LIMITS.cluster, active.length));
        for (const admitted of start) {
          expect(all.filter((m) => m.from === admitted.from).length).toBeLessThanOrEqual(
            Math.max(LIMITS.outboundPerNode, active.filter((a) => a.source === admitted.from).length),
          );
          expect(all.filter((m) => m.to === admitted.to).length).toBeLessThanOrEqual(
            Math.max(LIMITS.inboundPerNode, active.filter((a) => a.target === admitted.to).length),
          );
        }
      }),
    );
  });
});
