import { describe, expect, it } from "vitest";
import { NOT_THROTTLED, type SyncPeriod, type ThrottleState, throttleAfterPeriod } from "./auto-converge.ts";

const tooDirty: SyncPeriod = { dirtiedBytes: 600, sentBytes: 1000 };
const calm: SyncPeriod = { dirtiedBytes: 400, sentBytes: 1000 };
const exactlyHalf: SyncPeriod = { dirtiedBytes: 500, sentBytes: 1000 };

function replay(periods: readonly SyncPeriod[], start: ThrottleState = NOT_THROTTLED): number[] {
  const percents: number[] = [];
  let state = start;
  for (const period of periods) {
    state = throttleAfterPeriod(state, period);
    percents.push(state.percent);
  }
  return percents;
}

describe("throttleAfterPeriod (QEMU ram.c migration_trigger_throttle)", () => {
  it.each([
    { name: "one too-dirty period only counts", periods: [tooDirty], percents: [0] },
    { name: "the second too-dirty period starts throttling at 20%", periods: [tooDirty, tooDirty], percents: [0, 20] },
    {
      name: "each further step needs two more too-dirty periods",
      periods: [tooDirty, tooDirty, tooDirty, tooDirty, tooDirty, tooDirty],
      percents: [0, 20, 20, 30, 30, 40],
    },
    {
      name: "a calm period does not reset the count",
      periods: [tooDirty, calm, calm, tooDirty],
      percents: [0, 0, 0, 20],
    },
    {
      name: "dirtying exactly half of what was sent is not too dirty",
      periods: [exactlyHalf, exactlyHalf],
      percents: [0, 0],
    },
  ])("$name", ({ periods, percents }) => {
    expect(replay(periods)).toEqual(percents);
  });

  it("caps the throttle at 99%", () => {
    expect(replay([tooDirty, tooDirty, tooDirty, tooDirty], { percent: 90, tooDirtyPeriods: 0 })).toEqual([
      90, 99, 99, 99,
    ]);
  });
});
