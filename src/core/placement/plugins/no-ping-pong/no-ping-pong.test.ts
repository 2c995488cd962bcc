import { describe, it } from "vitest";
import { buildNode, buildVm } from "../../../../../test/support/builders.ts";
import {
  type BalanceSpecInput,
  type Departure,
  contextFor,
  expectVerdict,
  filterVerdict,
} from "../../../../../test/support/placement-context.ts";
import type { Purpose } from "../../framework.ts";
import { noPingPong } from "./index.ts";

const HOUR = 3600;

describe("NoPingPong", () => {
  it.each<{
    name: string;
    departures: Departure[];
    balance?: BalanceSpecInput;
    purpose?: Purpose;
    want: RegExp | undefined;
  }>([
    { name: "a VM that never left the node may go there", departures: [], want: undefined },
    {
      name: "a VM that left the node inside the default 6h window may not go back",
      departures: [{ vm: "vm", from: "n2", ago: HOUR }],
      want: /^NoPingPong: the VM left this node 1h ago \(ping-pong guard: 6h\)$/,
    },
    {
      name: "a VM that left the node outside the window may go back",
      departures: [{ vm: "vm", from: "n2", ago: 7 * HOUR }],
      want: undefined,
    },
    {
      name: "exactly at the end of the window the guard has lapsed",
      departures: [{ vm: "vm", from: "n2", ago: 6 * HOUR }],
      want: undefined,
    },
    {
      name: "the window comes from the BalancePolicy",
      departures: [{ vm: "vm", from: "n2", ago: HOUR }],
      balance: { antiThrash: { pingPongWindow: "30m" } },
      want: undefined,
    },
    {
      name: "leaving another node does not guard this one",
      departures: [{ vm: "vm", from: "n3", ago: HOUR }],
      want: undefined,
    },
    {
      name: "another VM leaving the node does not guard it for this VM",
      departures: [{ vm: "other", from: "n2", ago: HOUR }],
      want: undefined,
    },
    {
      name: "the most recent departure from the node is reported",
      departures: [
        { vm: "vm", from: "n2", ago: 5 * HOUR },
        { vm: "vm", from: "n3", ago: 3 * HOUR },
        { vm: "vm", from: "n2", ago: 2 * HOUR + 1800 },
      ],
      want: /^NoPingPong: the VM left this node 2h30m ago \(ping-pong guard: 6h\)$/,
    },
    {
      name: "evacuation may send a VM back",
      departures: [{ vm: "vm", from: "n2", ago: HOUR }],
      purpose: "evacuate",
      want: undefined,
    },
    {
      name: "a restart may send a VM back",
      departures: [{ vm: "vm", from: "n2", ago: HOUR }],
      purpose: "restart",
      want: undefined,
    },
  ])("$name", ({ departures, balance, purpose, want }) => {
    const ctx = contextFor(
      [buildNode("n1"), buildNode("n2"), buildNode("n3")],
      [buildVm("vm", "n1"), buildVm("other", "n1")],
      { departures, ...(balance ? { balance } : {}), purpose: purpose ?? "balance" },
    );
    expectVerdict(filterVerdict(noPingPong, ctx, "vm", "n2"), want);
  });
});
