import { describe, expect, it } from "vitest";
import { failoverPolicySpec } from "../policy/kinds/failover-policy.ts";
import { type HeldVm, holdReason, releasableHolds } from "./holds.ts";

const restart = failoverPolicySpec.parse({
  fencing: { strategies: [{ type: "External" }] },
  restart: {
    priorityClasses: [
      { name: "db", value: 400 },
      { name: "app", value: 300, startAfter: ["db"], readyDelay: 30 },
      { name: "batch", value: 100 },
    ],
    defaultClass: "batch",
  },
}).restart;

const classes = new Map([
  ["ns/db-1", "db"],
  ["ns/db-2", "db"],
  ["ns/app-1", "app"],
  ["ns/batch-1", "batch"],
]);
const app: HeldVm = { vm: "ns/app-1", priorityClass: "app", priority: 300 };
const batch: HeldVm = { vm: "ns/batch-1", priorityClass: "batch", priority: 100 };

describe("restart holds", () => {
  it.each([
    ["no db running yet", [], 0, "waits for class db to be Running"],
    ["one db of two running", [{ vm: "ns/db-1", at: 1_000 }], 60_000, "waits for class db to be Running"],
    [
      "both dbs running, readyDelay not over",
      [
        { vm: "ns/db-1", at: 1_000 },
        { vm: "ns/db-2", at: 10_000 },
      ],
      39_999,
      "waits 1s more after class db (readyDelay)",
    ],
    [
      "both dbs running and readyDelay over",
      [
        { vm: "ns/db-1", at: 1_000 },
        { vm: "ns/db-2", at: 10_000 },
      ],
      40_000,
      undefined,
    ],
  ])("app after db: %s", (_case, restarted, now, reason) => {
    expect(holdReason({ restart, classes, held: [app, batch], restarted, now }, app)).toBe(reason);
  });

  it("a lower class without startAfter still waits behind a higher one that is held", () => {
    const input = { restart, classes, held: [app, batch], restarted: [], now: 0 };
    expect(holdReason(input, batch)).toBe("waits behind ns/app-1 (class app)");
    expect(releasableHolds(input)).toEqual([]);
  });

  it("releases the highest priority first, then the next once it no longer waits behind", () => {
    const restarted = [
      { vm: "ns/db-1", at: 0 },
      { vm: "ns/db-2", at: 0 },
    ];
    expect(releasableHolds({ restart, classes, held: [batch, app], restarted, now: 30_000 })).toEqual([app]);
    expect(releasableHolds({ restart, classes, held: [batch], restarted, now: 30_000 })).toEqual([batch]);
  });
});
