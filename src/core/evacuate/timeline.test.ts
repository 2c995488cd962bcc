import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { timelineProblem } from "../../../test/support/timeline-checks.ts";
import { type MoveToTime, type SlotLimits, lowerBound, timeEvacuation } from "./timeline.ts";

function move(vm: string, from: string, to: string, seconds: number, bytes = 0): MoveToTime {
  return { vm, from, to, seconds, bytes };
}

/** Moves of the given durations, all from `from`, each to its own target (so inbound never binds). */
function fanOut(from: string, durations: readonly number[]): MoveToTime[] {
  return durations.map((seconds, index) => move(`${from}-vm${index}`, from, `${from}-target${index}`, seconds));
}

function limits(parallel: number, outboundPerNode: number, inboundPerNode: number): SlotLimits {
  return { parallel, outboundPerNode, inboundPerNode };
}

function starts(moves: readonly MoveToTime[], slots: SlotLimits): Record<string, number> {
  return Object.fromEntries(timeEvacuation(moves, slots).timeline.map((timed) => [timed.vm, timed.startSeconds]));
}

describe("lowerBound", () => {
  it.each<{ name: string; moves: MoveToTime[]; limits: SlotLimits; want: number }>([
    { name: "no moves take no time", moves: [], limits: limits(5, 2, 5), want: 0 },
    { name: "one move takes its own duration", moves: [move("a", "n1", "n2", 42)], limits: limits(5, 2, 5), want: 42 },
    {
      // 4 × 10 s through the source's 2 outbound slots: at least 40 / 2.
      name: "many moves from one source share its two outbound slots",
      moves: fanOut("n1", [10, 10, 10, 10]),
      limits: limits(5, 2, 5),
      want: 20,
    },
    {
      // The longest move outlasts the share of the slots: 30 > (30 + 5 + 5) / 2.
      name: "one long move outlasts the rest",
      moves: fanOut("n1", [30, 5, 5]),
      limits: limits(5, 2, 5),
      want: 30,
    },
    {
      // Two sources, 2 × 10 s each, all into t: its single inbound slot takes them one at a time.
      name: "one target with one inbound slot takes the moves one after another",
      moves: [move("a", "s1", "t", 10), move("b", "s1", "t", 10), move("c", "s2", "t", 10), move("d", "s2", "t", 10)],
      limits: limits(5, 2, 1),
      want: 40,
    },
    {
      // 3 sources × 2 outbound slots would run 6 at once, but the cluster runs 2: 60 s / 2.
      name: "the cluster's parallel cap below outbound × sources",
      moves: [...fanOut("s1", [10, 10]), ...fanOut("s2", [10, 10]), ...fanOut("s3", [10, 10])],
      limits: limits(2, 2, 5),
      want: 30,
    },
    {
      // One source with outbound 3 but a cluster cap of 1: the source's 30 s run one at a time.
      name: "the parallel cap below one source's outbound slots",
      moves: fanOut("s1", [10, 10, 10]),
      limits: limits(1, 3, 5),
      want: 30,
    },
  ])("$name", ({ moves, limits: slots, want }) => {
    expect(lowerBound(moves, slots)).toBeCloseTo(want, 9);
  });
});

describe("timeEvacuation", () => {
  it("times nothing for no moves", () => {
    expect(timeEvacuation([], limits(5, 2, 5))).toEqual({
      etaSeconds: 0,
      lowerBoundSeconds: 0,
      limits: limits(5, 2, 5),
      setupSeconds: 0,
      bytes: 0,
      timeline: [],
    });
  });

  it("holds each slot for the setup before the copy: in the ETA, not in the lower bound", () => {
    // One slot, 20 s and 10 s copies, 5 s setup each: 25 + 15.
    const moves = [move("a", "n1", "x", 20), move("b", "n1", "y", 10)];
    const estimate = timeEvacuation(moves, limits(1, 1, 1), 5);
    expect(estimate.timeline).toEqual([
      { vm: "a", startSeconds: 0, endSeconds: 25 },
      { vm: "b", startSeconds: 25, endSeconds: 40 },
    ]);
    expect(estimate.etaSeconds).toBe(40);
    expect(estimate.lowerBoundSeconds).toBe(30);
    expect(estimate.setupSeconds).toBe(5);
  });

  it("starts the longest move first (LPT) and ends when the last one ends", () => {
    // One slot: 20, then 10, then 5, back to back.
    const moves = [move("short", "n1", "a", 5), move("long", "n1", "b", 20), move("mid", "n1", "c", 10)];
    const estimate = timeEvacuation(moves, limits(1, 2, 5));
    expect(estimate.timeline).toEqual([
      { vm: "long", startSeconds: 0, endSeconds: 20 },
      { vm: "mid", startSeconds: 20, endSeconds: 30 },
      { vm: "short", startSeconds: 30, endSeconds: 35 },
    ]);
    expect(estimate.etaSeconds).toBe(35);
  });

  it("fills every slot as it frees: two outbound slots for 20, 10, 10, 5", () => {
    // Slot 1: 20; slot 2: 10 then 10 (ends at 20); the 5 s move takes the first slot free at 20.
    const estimate = timeEvacuation(fanOut("n1", [20, 10, 10, 5]), limits(5, 2, 5));
    expect(estimate.timeline.map((timed) => [timed.vm, timed.startSeconds])).toEqual([
      ["n1-vm0", 0],
      ["n1-vm1", 0],
      ["n1-vm2", 10],
      ["n1-vm3", 20],
    ]);
    expect(estimate.etaSeconds).toBe(25);
    expect(estimate.lowerBoundSeconds).toBe(22.5);
  });

  it("skips a target whose inbound slot is full, so the targets interleave", () => {
    // LPT order is big-1, big-2, small; big-2 waits for t1's one inbound slot while small goes to t2.
    const moves = [move("big-1", "s", "t1", 30), move("big-2", "s", "t1", 20), move("small", "s", "t2", 10)];
    const estimate = timeEvacuation(moves, limits(5, 2, 1));
    expect(estimate.timeline.map((timed) => timed.vm)).toEqual(["big-1", "small", "big-2"]);
    expect(starts(moves, limits(5, 2, 1))).toEqual({ "big-1": 0, small: 0, "big-2": 30 });
    expect(estimate.etaSeconds).toBe(50);
  });

  it("frees every slot that frees at one instant before it starts the next move", () => {
    // a and b both end at 10. Then c (9 s; s1 → t2) and e (5 s; s1 → t1) both fit, but s1 has one
    // outbound slot: the longer c must start at 10, not e because a's end was looked at first.
    const moves = [
      move("a", "s1", "t1", 10),
      move("b", "s2", "t2", 10),
      move("c", "s1", "t2", 9),
      move("e", "s1", "t1", 5),
    ];
    expect(starts(moves, limits(5, 1, 1))).toEqual({ a: 0, b: 0, c: 10, e: 19 });
  });

  it("breaks ties in duration by VM name, whatever order the moves come in", () => {
    const moves = [move("b", "n1", "x", 10), move("c", "n1", "y", 10), move("a", "n1", "z", 10)];
    const expected = [
      { vm: "a", startSeconds: 0, endSeconds: 10 },
      { vm: "b", startSeconds: 10, endSeconds: 20 },
      { vm: "c", startSeconds: 20, endSeconds: 30 },
    ];
    expect(timeEvacuation(moves, limits(1, 2, 5)).timeline).toEqual(expected);
    expect(timeEvacuation([...moves].reverse(), limits(1, 2, 5)).timeline).toEqual(expected);
  });

  it("adds up the bytes and reports the limits and the lower bound it was given", () => {
    const moves = [move("a", "n1", "x", 10, 1000), move("b", "n1", "y", 30, 234)];
    const estimate = timeEvacuation(moves, limits(3, 1, 2));
    expect(estimate.bytes).toBe(1234);
    expect(estimate.limits).toEqual(limits(3, 1, 2));
    expect(estimate.lowerBoundSeconds).toBe(lowerBound(moves, limits(3, 1, 2)));
    // Outbound 1: one after the other.
    expect(estimate.etaSeconds).toBe(40);
  });
});

const durationArb = fc.oneof(
  fc.integer({ min: 1, max: 600 }),
  fc.double({ min: 0.5, max: 600, noNaN: true, noDefaultInfinity: true }),
);

const limitsArb = fc.record({
  parallel: fc.integer({ min: 1, max: 6 }),
  outboundPerNode: fc.integer({ min: 1, max: 3 }),
  inboundPerNode: fc.integer({ min: 1, max: 3 }),
});

const movesArb = fc
  .array(fc.record({ from: fc.nat({ max: 2 }), to: fc.nat({ max: 3 }), seconds: durationArb }), { maxLength: 30 })
  .map((specs) =>
    specs.map((spec, index) =>
      move(`vm-${String(index).padStart(2, "0")}`, `s${spec.from}`, `t${spec.to}`, spec.seconds),
    ),
  );

describe("timeEvacuation on random moves and limits", () => {
  it("times every move once and never runs more at once than a limit allows", () => {
    fc.assert(
      fc.property(movesArb, limitsArb, (moves, slots) => {
        expect(timelineProblem(moves, slots, timeEvacuation(moves, slots).timeline)).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

  it("never beats its lower bound, and the ETA is the last end", () => {
    fc.assert(
      fc.property(movesArb, limitsArb, (moves, slots) => {
        const estimate = timeEvacuation(moves, slots);
        expect(estimate.lowerBoundSeconds).toBeLessThanOrEqual(estimate.etaSeconds + 1e-9);
        expect(estimate.etaSeconds).toBe(Math.max(0, ...estimate.timeline.map((timed) => timed.endSeconds)));
      }),
      { numRuns: 300 },
    );
  });

  it("keeps Graham's list-scheduling bound with one source and inbound not binding", () => {
    // Then the slots are min(parallel, outbound) identical machines and no slot idles while a move
    // waits, so the makespan is at most total / m + (1 - 1/m) · longest.
    const oneSource = fc.array(durationArb, { minLength: 1, maxLength: 30 }).map((durations) => fanOut("s", durations));
    fc.assert(
      fc.property(oneSource, limitsArb, (moves, slots) => {
        const m = Math.min(slots.parallel, slots.outboundPerNode);
        const total = moves.reduce((sum, timed) => sum + timed.seconds, 0);
        const longest = Math.max(...moves.map((timed) => timed.seconds));
        const estimate = timeEvacuation(moves, slots);
        expect(estimate.etaSeconds).toBeLessThanOrEqual(total / m + (1 - 1 / m) * longest + 1e-6);
        expect(estimate.etaSeconds).toBeGreaterThanOrEqual(estimate.lowerBoundSeconds - 1e-9);
      }),
      { numRuns: 300 },
    );
  });

  it("gives the same timeline whatever order the moves are listed in", () => {
    const withShuffle = movesArb.chain((moves) =>
      fc.tuple(fc.constant(moves), fc.shuffledSubarray(moves, { minLength: moves.length, maxLength: moves.length })),
    );
    fc.assert(
      fc.property(withShuffle, limitsArb, ([moves, shuffled], slots) => {
        const [first, second] = [timeEvacuation(moves, slots), timeEvacuation(shuffled, slots)];
        expect(second.timeline).toEqual(first.timeline);
        expect(second.etaSeconds).toBe(first.etaSeconds);
        // The bound adds the durations up in the order given, so it may differ in the last bit.
        expect(second.lowerBoundSeconds).toBeCloseTo(first.lowerBoundSeconds, 9);
      }),
      { numRuns: 100 },
    );
  });
});
