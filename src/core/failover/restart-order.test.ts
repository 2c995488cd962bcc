import { describe, expect, it } from "vitest";
import {
  type MutableVm,
  type NodeInput,
  type VmInput,
  NOW,
  buildNode,
  buildVm,
  modelOf,
} from "../../../test/support/builders.ts";
import { policyDocumentSchemas } from "../policy/document.ts";
import { EMPTY_POLICY_SET, type PolicySet } from "../policy/policy-set.ts";
import { failoverPolicyFor } from "./detect.ts";
import { type ClassWait, classWait, rankClasses, restartOrder } from "./restart-order.ts";
import type { RestartDecision } from "./types.ts";

type ClassInput = { name: string; value: number; startAfter?: string[]; readyDelay?: number };

function policiesWith(
  restart: { priorityClasses?: ClassInput[]; defaultClass?: string } = {},
  selector = {},
): PolicySet {
  const failover = policyDocumentSchemas.FailoverPolicy.parse({
    apiVersion: "kubedrs.io/v1alpha1",
    kind: "FailoverPolicy",
    metadata: { name: "ha" },
    spec: { nodeSelector: selector, fencing: { strategies: [{ type: "FenceAgents", template: "ipmi" }] }, restart },
  });
  return { ...EMPTY_POLICY_SET, failover: [failover] };
}

/** The fenced node, "dead": Ready=Unknown, with room to spare, so only its exclusion keeps VMs off it. */
function dead(): NodeInput {
  return buildNode("dead", { cpu: "64" }, (node) => {
    node.conditions = [{ type: "Ready", status: "Unknown", lastTransitionTime: "2026-11-22T09:58:00Z" }];
  });
}

function on(name: string, options: { cpu?: string; cls?: string; apply?: (vm: MutableVm) => void } = {}): VmInput {
  return buildVm(name, "dead", { cpu: options.cpu ?? "2" }, (vm) => {
    if (options.cls !== undefined) vm.labels = { ...vm.labels, "kubedrs.io/restart-priority": options.cls };
    options.apply?.(vm);
  });
}

interface Options {
  readonly survivors?: NodeInput[];
  readonly policies?: PolicySet;
  readonly running?: string[];
  readonly classSince?: Record<string, number>;
  readonly node?: string;
}

function order(vms: VmInput[], options: Options = {}): RestartDecision[] {
  const survivors = options.survivors ?? [buildNode("alive-1"), buildNode("alive-2")];
  const model = modelOf([dead(), ...survivors], vms);
  return restartOrder({
    model,
    policies: options.policies ?? policiesWith(),
    now: NOW,
    node: options.node ?? "dead",
    running: new Set((options.running ?? []).map((name) => `default/${name}`)),
    classSince: new Map(Object.entries(options.classSince ?? {})),
  });
}

/** "name class action", one per decision, in order. */
function summary(decisions: readonly RestartDecision[]): string[] {
  return decisions.map((d) => `${d.vm.replace("default/", "")} ${d.priorityClass} ${d.action}`);
}

function decisionFor(decisions: readonly RestartDecision[], name: string): RestartDecision {
  const found = decisions.find((d) => d.vm === `default/${name}`);
  if (!found) throw new Error(`no decision for ${name}`);
  return found;
}

describe("restartOrder: classes", () => {
  it("orders higher classes first, then by VM name; the label or the annotation names the class", () => {
    const decisions = order([
      on("b-low", { cls: "low" }),
      on("a-low", { cls: "low" }),
      on("z-high", { cls: "high" }),
      on("m-medium", {
        apply: (vm) => {
          vm.annotations = { "kubedrs.io/restart-priority": "medium" };
        },
      }),
      on("c-high", { cls: "high" }),
    ]);
    expect(summary(decisions)).toEqual([
      "c-high high restart",
      "z-high high restart",
      "m-medium medium restart",
      "a-low low restart",
      "b-low low restart",
    ]);
    expect(decisions.map((d) => d.priority)).toEqual([300, 300, 200, 100, 100]);
    expect(decisionFor(decisions, "c-high").reason).toMatch(/^class high \(300\): alive-[12] can run it$/);
  });

  it.each([
    {
      name: "no class named: the defaultClass, saying so",
      vm: on("web"),
      reason: /^class medium \(200, the defaultClass: no kubedrs\.io\/restart-priority\): alive-[12] can run it$/,
    },
    {
      name: "an unknown class: the defaultClass, saying so",
      vm: on("web", { cls: "gold" }),
      reason:
        /^class medium \(200, the defaultClass: unknown class "gold" in kubedrs\.io\/restart-priority\): alive-[12] can run it$/,
    },
  ])("$name", ({ vm, reason }) => {
    const [decision] = order([vm]);
    expect(decision).toMatchObject({ vm: "default/web", priorityClass: "medium", priority: 200, action: "restart" });
    expect(decision?.reason).toMatch(reason);
  });

  it("uses the policy's own classes and defaultClass", () => {
    const policies = policiesWith({
      priorityClasses: [
        { name: "gold", value: 10 },
        { name: "bronze", value: 1 },
      ],
      defaultClass: "bronze",
    });
    const decisions = order([on("a"), on("b", { cls: "gold" })], { policies });
    expect(summary(decisions)).toEqual(["b gold restart", "a bronze restart"]);
  });
});

describe("restartOrder: what is left alone", () => {
  it.each(["Manual", "Halted"] as const)("runStrategy %s: leave, with the reason", (strategy) => {
    const decisions = order([
      on("kept", {
        cls: "high",
        apply: (vm) => {
          vm.runStrategy = strategy;
        },
      }),
    ]);
    expect(decisions).toEqual([
      {
        vm: "default/kept",
        priorityClass: "high",
        priority: 300,
        action: "leave",
        fits: undefined,
        reason: `runStrategy ${strategy}: KubeVirt does not start it on its own, and kubedrs leaves it alone`,
      },
    ]);
  });

  it.each(["Always", "RerunOnFailure"] as const)("runStrategy %s restarts", (strategy) => {
    const decisions = order([
      on("web", {
        apply: (vm) => {
          vm.runStrategy = strategy;
        },
      }),
    ]);
    expect(summary(decisions)).toEqual(["web medium restart"]);
  });

  it("a VM already Running again elsewhere is reported as restarted and holds no room here", () => {
    const decisions = order([on("done"), on("next", { cpu: "32" })], {
      running: ["done"],
      survivors: [buildNode("alive-1", { cpu: "32" })],
    });
    expect(decisionFor(decisions, "done")).toMatchObject({ action: "restart", fits: undefined });
    expect(decisionFor(decisions, "done").reason).toMatch(/already Running again elsewhere$/);
    expect(decisionFor(decisions, "next")).toMatchObject({ action: "restart", fits: "alive-1" });
  });

  it("no FailoverPolicy selects the node: every VM is left, with the reason", () => {
    const decisions = order([on("web")], { policies: policiesWith({}, { matchLabels: { pool: "ha" } }) });
    expect(decisions).toEqual([
      {
        vm: "default/web",
        priorityClass: "",
        priority: 0,
        action: "leave",
        fits: undefined,
        reason: "no FailoverPolicy selects node dead: kubedrs does not restart its VMs",
      },
    ]);
  });

  it("a node not in the model has no VMs to restart", () => {
    expect(order([on("web")], { node: "gone" })).toEqual([]);
  });

  it("only the fenced node's VMs are listed", () => {
    const decisions = order([on("web"), buildVm("other", "alive-1")]);
    expect(decisions.map((d) => d.vm)).toEqual(["default/web"]);
  });
});

describe("restartOrder: startAfter and readyDelay", () => {
  const classes = (readyDelay = 0): ClassInput[] => [
    { name: "db", value: 300 },
    { name: "app", value: 200, startAfter: ["db"], readyDelay },
    { name: "batch", value: 100 },
  ];
  const vms = (): VmInput[] => [on("db-1", { cls: "db" }), on("db-2", { cls: "db" }), on("app-1", { cls: "app" })];

  it.each<{
    name: string;
    delay?: number;
    running: string[];
    since?: Record<string, number>;
    reason: RegExp | undefined;
  }>([
    {
      name: "none of the db VMs Running yet: app waits",
      running: [],
      reason:
        /^class app \(200\): starts after class db, whose VMs are not all Running yet \(default\/db-1, default\/db-2\); room kept on alive-[12]$/,
    },
    {
      name: "one db VM Running: app still waits",
      running: ["db-1"],
      reason: /starts after class db, whose VMs are not all Running yet \(default\/db-2\)/,
    },
    { name: "every db VM Running, no readyDelay: app starts", running: ["db-1", "db-2"], reason: undefined },
    {
      name: "readyDelay 60s, 59s after db became Running: app waits 1s more",
      delay: 60,
      running: ["db-1", "db-2"],
      since: { db: NOW - 59_000 },
      reason: /^class app \(200\): starts 1m after class db became Running: waiting 1s more; room kept on alive-[12]$/,
    },
    {
      name: "readyDelay 60s, exactly 60s after db became Running: app starts",
      delay: 60,
      running: ["db-1", "db-2"],
      since: { db: NOW - 60_000 },
      reason: undefined,
    },
    {
      name: "readyDelay 60s, when db became Running not known: app waits",
      delay: 60,
      running: ["db-1", "db-2"],
      reason: /readyDelay 1m: when class db became Running is not known/,
    },
  ])("$name", ({ delay, running, since, reason }) => {
    const policies = policiesWith({ priorityClasses: classes(delay), defaultClass: "batch" });
    const decisions = order(vms(), { policies, running, ...(since ? { classSince: since } : {}) });
    const app = decisionFor(decisions, "app-1");
    if (reason === undefined) {
      expect(app.action).toBe("restart");
    } else {
      expect(app.action).toBe("wait");
      expect(app.reason).toMatch(reason);
    }
    expect(app.fits).toMatch(/^alive-[12]$/);
  });

  it("a class that starts after one with no VMs on this node starts at once, readyDelay or not", () => {
    const policies = policiesWith({ priorityClasses: classes(600), defaultClass: "batch" });
    expect(summary(order([on("app-1", { cls: "app" })], { policies }))).toEqual(["app-1 app restart"]);
  });

  it("VMs that are left alone (Manual) do not hold their class's dependents back", () => {
    const policies = policiesWith({ priorityClasses: classes(), defaultClass: "batch" });
    const manual = on("db-1", {
      cls: "db",
      apply: (vm) => {
        vm.runStrategy = "Manual";
      },
    });
    expect(summary(order([manual, on("app-1", { cls: "app" })], { policies }))).toEqual([
      "db-1 db leave",
      "app-1 app restart",
    ]);
  });

  it("a prerequisite of a higher class goes before it, whatever its own value", () => {
    const policies = policiesWith({
      priorityClasses: [
        { name: "app", value: 300, startAfter: ["db"] },
        { name: "mid", value: 200 },
        { name: "db", value: 100 },
      ],
      defaultClass: "mid",
    });
    const decisions = order([on("app-1", { cls: "app" }), on("db-1", { cls: "db" }), on("mid-1", { cls: "mid" })], {
      policies,
    });
    expect(summary(decisions)).toEqual(["db-1 db restart", "app-1 app wait", "mid-1 mid restart"]);
  });

  it("a startAfter cycle is ignored, and the reason says so", () => {
    const policies = policiesWith({
      priorityClasses: [
        { name: "a", value: 2, startAfter: ["b"] },
        { name: "b", value: 1, startAfter: ["a"] },
      ],
      defaultClass: "a",
    });
    const decisions = order([on("x", { cls: "a" }), on("y", { cls: "b" })], { policies });
    expect(summary(decisions)).toEqual(["x a restart", "y b restart"]);
    expect(decisionFor(decisions, "x").reason).toMatch(/\(startAfter b ignored: it forms a cycle\)$/);
  });
});

describe("rankClasses and classWait: the gate holds share", () => {
  const classes = rankClasses([
    { name: "a", value: 200, startAfter: ["a"], readyDelay: 30 },
    { name: "x", value: 150, startAfter: ["y"], readyDelay: 0 },
    { name: "y", value: 150, startAfter: ["x"], readyDelay: 0 },
    { name: "db", value: 100, startAfter: [], readyDelay: 0 },
    { name: "app", value: 300, startAfter: ["db", "gone"], readyDelay: 30 },
  ]);

  it("drops self-references, cycles and unknown classes; a prerequisite inherits its dependents' rank", () => {
    const shape = [...classes.values()].map((c) => [c.spec.name, c.after, c.rank, c.depth, c.cyclic]);
    expect(shape).toEqual([
      ["a", [], 200, 0, ["a"]],
      ["x", [], 150, 0, ["y"]],
      ["y", [], 150, 0, ["x"]],
      ["db", [], 300, 0, []],
      ["app", ["db"], 300, 1, ["gone"]],
    ]);
  });

  it.each<[string, string, Record<string, string[]>, Record<string, number>, number, ClassWait | undefined]>([
    ["a after itself", "a", { a: ["a-1"] }, {}, 0, undefined],
    ["app, db not Running", "app", { db: ["db-1"] }, {}, 0, { kind: "running", after: "db", waiting: ["db-1"] }],
    ["app, no db VMs", "app", {}, {}, 0, undefined],
    ["app, db since unknown", "app", { db: [] }, {}, 0, { kind: "unknownSince", after: ["db"] }],
    [
      "app, readyDelay not over",
      "app",
      { db: [] },
      { db: 1_000 },
      30_999,
      { kind: "readyDelay", after: ["db"], until: 31_000 },
    ],
    ["app, readyDelay over", "app", { db: [] }, { db: 1_000 }, 31_000, undefined],
  ])("%s", (_case, name, pending, since, now, wait) => {
    const cls = classes.get(name);
    if (!cls) throw new Error(`no class ${name}`);
    const progress = { pending: new Map(Object.entries(pending)), since: new Map(Object.entries(since)), now };
    expect(classWait(cls, progress)).toEqual(wait);
  });
});

describe("restartOrder: capacity", () => {
  /** Two 8-CPU survivors: 16 CPUs for 4 + 4 + 4 (high, high, medium) + 6 (medium) + 1 (low). */
  const short = (): RestartDecision[] =>
    order(
      [
        on("h1", { cls: "high", cpu: "4" }),
        on("h2", { cls: "high", cpu: "4" }),
        on("m1", { cls: "medium", cpu: "4" }),
        on("m2", { cls: "medium", cpu: "6" }),
        on("l1", { cls: "low", cpu: "1" }),
      ],
      { survivors: [buildNode("alive-1", { cpu: "8" }), buildNode("alive-2", { cpu: "8" })] },
    );

  it("places in order, counting what earlier VMs took: the first that does not fit waits, with the reason", () => {
    const decisions = short();
    expect(summary(decisions)).toEqual([
      "h1 high restart",
      "h2 high restart",
      "m1 medium restart",
      "m2 medium wait",
      "l1 low wait",
    ]);
    expect(decisionFor(decisions, "m2").reason).toMatch(
      /^class medium \(200\): waiting for capacity: no node can take it: 2 × ResourcesFit \(.*cpu.*\)$/,
    );
    expect(decisionFor(decisions, "m2").fits).toBeUndefined();
    const used = new Map<string, number>();
    for (const d of decisions.filter((d) => d.action === "restart"))
      used.set(d.fits ?? "", (used.get(d.fits ?? "") ?? 0) + 1);
    expect([...used.values()].sort()).toEqual([1, 2]);
  });

  it("a lower class does not jump a short one, even when it would fit", () => {
    const decisions = short();
    expect(decisionFor(decisions, "l1")).toMatchObject({ action: "wait", fits: undefined });
    expect(decisionFor(decisions, "l1").reason).toBe(
      "class low (100): waits behind class medium (200), where 1 VM(s) do not fit yet",
    );
  });

  it("the fenced node is never a target, however much room it has", () => {
    const decisions = order([on("big", { cpu: "16" })], { survivors: [buildNode("alive-1", { cpu: "8" })] });
    expect(decisions[0]).toMatchObject({ action: "wait", fits: undefined });
    expect(decisions[0]?.reason).toMatch(/no node can take it: 1 × ResourcesFit/);
  });

  it("hard rules are respected: a nodeSelector no survivor matches", () => {
    const decisions = order([
      on("pinned", {
        apply: (vm) => {
          vm.nodeSelector = { pool: "blue" };
        },
      }),
    ]);
    expect(decisions[0]?.reason).toMatch(/no node can take it: 2 × NodeAffinity \(nodeSelector pool=blue not matched/);
  });

  it("the fenced node's other VMs count in no affinity domain: a left-alone sibling does not repel", () => {
    const antiZone = (vm: MutableVm): void => {
      vm.labels = { app: "web" };
      vm.affinity = {
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [
            { labelSelector: { matchLabels: { app: "web" } }, topologyKey: "topology.kubernetes.io/zone" },
          ],
        },
      };
    };
    const decisions = order([
      on("web-1", { apply: antiZone }),
      on("web-2", {
        apply: (vm) => {
          antiZone(vm);
          vm.runStrategy = "Halted";
        },
      }),
    ]);
    expect(summary(decisions)).toEqual(["web-1 medium restart", "web-2 medium leave"]);
  });
});

describe("failoverPolicyFor", () => {
  it("picks the first policy by name whose nodeSelector matches", () => {
    const parse = (name: string, selector: object): PolicySet["failover"][number] =>
      policyDocumentSchemas.FailoverPolicy.parse({
        apiVersion: "kubedrs.io/v1alpha1",
        kind: "FailoverPolicy",
        metadata: { name },
        spec: { nodeSelector: selector, fencing: { strategies: [{ type: "External" }] } },
      });
    const policies: PolicySet = {
      ...EMPTY_POLICY_SET,
      failover: [
        parse("z-all", {}),
        parse("b-blue", { matchLabels: { pool: "blue" } }),
        parse("a-red", { matchLabels: { pool: "red" } }),
      ],
    };
    const model = modelOf(
      [buildNode("blue", {}, (node) => void (node.labels = { ...node.labels, pool: "blue" })), buildNode("plain")],
      [],
    );
    expect(model.nodes.map((node) => failoverPolicyFor(policies, node)?.metadata.name)).toEqual(["b-blue", "z-all"]);
  });
});
