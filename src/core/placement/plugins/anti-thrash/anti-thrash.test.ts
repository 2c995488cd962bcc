import { describe, expect, it } from "vitest";
import { buildNode, buildVm } from "../../../../../test/support/builders.ts";
import {
  type BalanceSpecInput,
  type Departure,
  checkVerdict,
  contextFor,
  expectVerdict,
} from "../../../../../test/support/placement-context.ts";
import type { Purpose } from "../../framework.ts";
import { antiThrash, cooldownSeconds } from "./index.ts";

const HOUR = 3600;

/** Departures of "vm" that many seconds ago, alternating between n2 and n3. */
function movedAgo(...agos: number[]): Departure[] {
  return agos.map((ago, index) => ({ vm: "vm", from: index % 2 === 0 ? "n2" : "n3", ago }));
}

/** A budget high enough that only the cooldown holds the VM back. */
const ROOMY: BalanceSpecInput = { antiThrash: { maxMigrationsPerVmPerDay: 10 } };

function context(departures: Departure[], balance: BalanceSpecInput = {}, purpose: Purpose = "balance") {
  return contextFor(
    [buildNode("n1"), buildNode("n2"), buildNode("n3")],
    [buildVm("vm", "n1"), buildVm("other", "n1")],
    {
      departures,
      balance,
      purpose,
    },
  );
}

describe("AntiThrash", () => {
  it.each<{
    name: string;
    departures: Departure[];
    balance?: BalanceSpecInput;
    purpose?: Purpose;
    want: RegExp | undefined;
  }>([
    { name: "a VM that has not moved may move", departures: [], want: undefined },
    {
      name: "after one move the VM cools down for the base cooldown (1h)",
      departures: movedAgo(30 * 60),
      want: /^AntiThrash: cooling down for another 30m \(moved 30m ago\)$/,
    },
    { name: "after the base cooldown the VM may move again", departures: movedAgo(61 * 60), want: undefined },
    {
      name: "the base cooldown comes from the BalancePolicy",
      departures: movedAgo(30 * 60),
      balance: { antiThrash: { cooldown: "20m" } },
      want: undefined,
    },
    {
      name: "a second move in 24h doubles the cooldown (2h)",
      departures: movedAgo(5 * HOUR, HOUR),
      balance: ROOMY,
      want: /^AntiThrash: cooling down for another 1h \(moved 1h ago\)$/,
    },
    {
      name: "after the doubled cooldown the VM may move again",
      departures: movedAgo(5 * HOUR, 2 * HOUR + 60),
      balance: ROOMY,
      want: undefined,
    },
    {
      name: "a third move in 24h doubles it again (4h)",
      departures: movedAgo(10 * HOUR, 8 * HOUR, 3 * HOUR),
      balance: ROOMY,
      want: /^AntiThrash: cooling down for another 1h \(moved 3h ago\)$/,
    },
    {
      name: "the backoff factor comes from the BalancePolicy",
      departures: movedAgo(10 * HOUR, 8 * HOUR, 3 * HOUR),
      balance: { antiThrash: { maxMigrationsPerVmPerDay: 10, cooldownBackoff: 1.5 } },
      want: undefined,
    },
    {
      name: "moves older than 24h do not count towards the backoff",
      departures: movedAgo(30 * HOUR, 26 * HOUR, 90 * 60),
      balance: ROOMY,
      want: undefined,
    },
    {
      name: "the cooldown is capped by maxCooldown",
      departures: movedAgo(10 * HOUR, 8 * HOUR, 2 * HOUR),
      balance: { antiThrash: { maxMigrationsPerVmPerDay: 10, maxCooldown: "90m" } },
      want: undefined,
    },
    {
      name: "a capped cooldown still holds the VM until it ends",
      departures: movedAgo(10 * HOUR, 8 * HOUR, HOUR),
      balance: { antiThrash: { maxMigrationsPerVmPerDay: 10, maxCooldown: "90m" } },
      want: /^AntiThrash: cooling down for another 30m \(moved 1h ago\)$/,
    },
    {
      name: "the daily budget (default 2) blocks a third move in 24h",
      departures: movedAgo(20 * HOUR, 12 * HOUR),
      want: /^AntiThrash: moved 2 times in the last 24h; the daily budget is 2$/,
    },
    {
      name: "the daily budget comes from the BalancePolicy",
      departures: movedAgo(20 * HOUR, 12 * HOUR, 8 * HOUR),
      balance: { antiThrash: { maxMigrationsPerVmPerDay: 3 } },
      want: /^AntiThrash: moved 3 times in the last 24h; the daily budget is 3$/,
    },
    {
      name: "a budget of zero keeps every VM in place",
      departures: [],
      balance: { antiThrash: { maxMigrationsPerVmPerDay: 0 } },
      want: /^AntiThrash: moved 0 times in the last 24h; the daily budget is 0$/,
    },
    {
      name: "moves that left the 24h window free the budget",
      departures: movedAgo(30 * HOUR, 25 * HOUR),
      want: undefined,
    },
    {
      name: "another VM's moves do not hold this one",
      departures: [{ vm: "other", from: "n2", ago: 60 }],
      want: undefined,
    },
    {
      name: "evacuation is not held back",
      departures: movedAgo(2 * HOUR, 60),
      purpose: "evacuate",
      want: undefined,
    },
    {
      name: "a restart is not held back",
      departures: movedAgo(2 * HOUR, 60),
      purpose: "restart",
      want: undefined,
    },
  ])("$name", ({ departures, balance, purpose, want }) => {
    expectVerdict(checkVerdict(antiThrash, context(departures, balance, purpose), "vm"), want);
  });
});

describe("cooldownSeconds", () => {
  it.each([
    { name: "the first move waits the base cooldown", moves: 1, want: HOUR },
    { name: "each further move in a day doubles it", moves: 3, want: 4 * HOUR },
    { name: "it never exceeds maxCooldown (24h by default)", moves: 8, want: 24 * HOUR },
  ])("$name", ({ moves, want }) => {
    expect(cooldownSeconds(context([]), moves)).toBe(want);
  });
});
