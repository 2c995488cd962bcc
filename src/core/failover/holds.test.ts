import { describe, expect, it } from "vitest";
import { NOW, buildNode, buildVm, modelOf } from "../../../test/support/builders.ts";
import { policyDocumentSchemas } from "../policy/document.ts";
import { failoverPolicySpec } from "../policy/kinds/failover-policy.ts";
import { EMPTY_POLICY_SET } from "../policy/policy-set.ts";
import { type HeldVm, holdReason, releasableHolds } from "./holds.ts";
import { rankClasses, restartOrder } from "./restart-order.ts";

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

/** A restart policy from its classes; the first class is the defaultClass. */
function restartOf(...priorityClasses: { name: string; value: number; startAfter?: string[]; readyDelay?: number }[]) {
  return failoverPolicySpec.parse({
    fencing: { strategies: [{ type: "External" }] },
    restart: { priorityClasses, defaultClass: priorityClasses[0]?.name },
  }).restart;
}

function held(vm: string, priorityClass: string, priority: number): HeldVm {
  return { vm: `ns/${vm}`, priorityClass, priority };
}

interface Turn {
  readonly held: HeldVm[];
  readonly restarted: { vm: string; at: number }[];
  readonly now: number;
  /** The VMs releasableHolds gives back, in order. */
  readonly released: string[];
}

describe("restart holds: what restartOrder can hold never stays held", () => {
  // db is below app by value but app starts after it, so db inherits app's rank (300) and goes first.
  const dbBeforeApp = restartOf(
    { name: "db", value: 100 },
    { name: "app", value: 300, startAfter: ["db"], readyDelay: 30 },
  );
  const dbApp = new Map([
    ["ns/db-1", "db"],
    ["ns/db-2", "db"],
    ["ns/app-1", "app"],
  ]);
  const dbsRunning = [
    { vm: "ns/db-1", at: 1_000 },
    { vm: "ns/db-2", at: 10_000 },
  ];
  // The priority each hold carries: the class's rank (as restart-holds stores it) or its plain value.
  const byRank = [held("db-1", "db", 300), held("db-2", "db", 300), held("app-1", "app", 300)];
  const byValue = [held("db-1", "db", 100), held("db-2", "db", 100), held("app-1", "app", 300)];

  it.each<[string, Turn]>([
    ["held by rank: db first", { held: byRank, restarted: [], now: 0, released: ["ns/db-1", "ns/db-2"] }],
    ["held by value: db first", { held: byValue, restarted: [], now: 0, released: ["ns/db-1", "ns/db-2"] }],
    [
      "app while one db is not Running",
      { held: byValue.slice(2), restarted: dbsRunning.slice(0, 1), now: 60_000, released: [] },
    ],
    [
      "app before db's readyDelay is over",
      { held: byValue.slice(2), restarted: dbsRunning, now: 39_999, released: [] },
    ],
    [
      "app once db is Running and readyDelay is over",
      { held: byValue.slice(2), restarted: dbsRunning, now: 40_000, released: ["ns/app-1"] },
    ],
  ])("A) app (300) starts after db (100): %s", (_case, turn) => {
    const input = { restart: dbBeforeApp, classes: dbApp, ...turn };
    expect(releasableHolds(input).map((entry) => entry.vm)).toEqual(turn.released);
  });

  it("A) app says why it waits while db is released", () => {
    const input = { restart: dbBeforeApp, classes: dbApp, held: byValue, restarted: [], now: 0 };
    expect(holdReason(input, held("app-1", "app", 300))).toBe("waits for class db to be Running");
    expect(holdReason(input, held("db-1", "db", 100))).toBeUndefined();
  });

  // a starts after itself, x and y after each other: restartOrder ignores those startAfter entries.
  const cyclic = restartOf(
    { name: "a", value: 200, startAfter: ["a"], readyDelay: 30 },
    { name: "x", value: 150, startAfter: ["y"], readyDelay: 30 },
    { name: "y", value: 150, startAfter: ["x"], readyDelay: 30 },
    { name: "b", value: 100 },
  );
  const cyclicClasses = new Map([
    ["ns/a-1", "a"],
    ["ns/a-2", "a"],
    ["ns/x-1", "x"],
    ["ns/y-1", "y"],
    ["ns/b-1", "b"],
  ]);
  const a = [held("a-1", "a", 200), held("a-2", "a", 200)];
  const xy = [held("x-1", "x", 150), held("y-1", "y", 150)];
  const b = held("b-1", "b", 100);

  it.each<[string, Turn]>([
    ["B) a after itself: a first", { held: [b, ...xy, ...a], restarted: [], now: 0, released: ["ns/a-1", "ns/a-2"] }],
    [
      "x and y after each other: both next",
      { held: [b, ...xy], restarted: [], now: 0, released: ["ns/x-1", "ns/y-1"] },
    ],
    ["b last", { held: [b], restarted: [], now: 0, released: ["ns/b-1"] }],
  ])("startAfter cycles are ignored: %s", (_case, turn) => {
    const input = { restart: cyclic, classes: cyclicClasses, ...turn };
    expect(releasableHolds(input).map((entry) => entry.vm)).toEqual(turn.released);
  });
});

describe("restart holds after restartOrder", () => {
  it("releases every VM restartOrder holds when db (100) is short of capacity and app (300) starts after it", () => {
    const restart = restartOf(
      { name: "db", value: 100 },
      { name: "app", value: 300, startAfter: ["db"], readyDelay: 30 },
    );
    const failover = policyDocumentSchemas.FailoverPolicy.parse({
      apiVersion: "kubedrs.io/v1alpha1",
      kind: "FailoverPolicy",
      metadata: { name: "ha" },
      spec: { fencing: { strategies: [{ type: "External" }] }, restart },
    });
    const vm = (name: string, cls: string): ReturnType<typeof buildVm> =>
      buildVm(name, "dead", { cpu: "2" }, (entry) => {
        entry.labels = { ...entry.labels, "kubedrs.io/restart-priority": cls };
      });
    // Room for one db VM only: db-2 waits for capacity, and app waits behind db's shortage.
    const model = modelOf(
      [buildNode("dead", { cpu: "64" }), buildNode("alive", { cpu: "3" })],
      [vm("db-1", "db"), vm("db-2", "db"), vm("app-1", "app")],
    );
    const policies = { ...EMPTY_POLICY_SET, failover: [failover] };
    const order = restartOrder({ model, policies, now: NOW, node: "dead", running: new Set() });
    expect(order.map((d) => `${d.vm} ${d.action}`)).toEqual([
      "default/db-1 restart",
      "default/db-2 wait",
      "default/app-1 wait",
    ]);
    // As restart-holds does it: every VM with its class, the waiting ones held at their class's rank.
    const ranks = rankClasses(restart.priorityClasses);
    const classes = new Map(order.map((d) => [d.vm, d.priorityClass]));
    let holds = order
      .filter((d) => d.action === "wait")
      .map((d) => ({ vm: d.vm, priorityClass: d.priorityClass, priority: ranks.get(d.priorityClass)?.rank ?? 0 }));
    expect(holds.map((entry) => entry.priority)).toEqual([300, 300]);
    const restarted = [{ vm: "default/db-1", at: NOW }];
    const released: string[] = [];
    // Each turn: what may go now starts at once; a minute later, the next turn.
    for (let now = NOW; holds.length > 0 && now < NOW + 600_000; now += 60_000) {
      const go = releasableHolds({ restart, classes, held: holds, restarted, now }).map((entry) => entry.vm);
      released.push(...go);
      restarted.push(...go.map((name) => ({ vm: name, at: now })));
      holds = holds.filter((entry) => !go.includes(entry.vm));
    }
    expect(released).toEqual(["default/db-2", "default/app-1"]);
  });
});
