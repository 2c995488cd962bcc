import { describe, expect, it } from "vitest";
import { EMPTY_POLICY_SET } from "../policy/policy-set.ts";
import { type MutableNode, type NodeInput, NOW, buildNode, modelOf } from "../../../test/support/builders.ts";
import { failoverPolicy, policiesOf } from "../../../test/support/failover-policies.ts";
import { assessNodes, failoverPolicyFor, powerQueries } from "./detect.ts";
import type { NodeHealth, NodeHealthState } from "./types.ts";

const SECOND = 1000;

/** The defaults: leaseTimeout 20s, notReadyTimeout 10s, every node selected. */
const DEFAULTS = policiesOf(failoverPolicy("hosts"));

interface Heartbeat {
  /** ms before NOW the Lease was renewed; null for no Lease at all. */
  readonly lease: number | null;
  /** Ready's status and ms before NOW it changed (undefined: no lastTransitionTime); null: no Ready condition. */
  readonly ready: readonly ["True" | "False" | "Unknown", number | undefined] | null;
}

function beating({ lease, ready }: Heartbeat): (node: MutableNode) => void {
  return (node) => {
    if (lease !== null) node.lease = { renewTime: new Date(NOW - lease).toISOString(), durationSeconds: 40 };
    node.conditions =
      ready === null
        ? []
        : [
            {
              type: "Ready",
              status: ready[0],
              ...(ready[1] === undefined ? {} : { lastTransitionTime: new Date(NOW - ready[1]).toISOString() }),
            },
          ];
  };
}

const ALIVE: Heartbeat = { lease: 2 * SECOND, ready: ["True", 3_600 * SECOND] };

function assessOne(heartbeat: Heartbeat, policies = DEFAULTS, apply?: (node: MutableNode) => void): NodeHealth {
  const node = buildNode("n1", {}, (n) => {
    beating(heartbeat)(n);
    apply?.(n);
  });
  const [health] = assessNodes(modelOf([node], []), policies, NOW);
  if (health === undefined) throw new Error("n1 was not assessed");
  return health;
}

interface Case {
  readonly name: string;
  readonly heartbeat: Heartbeat;
  readonly state: NodeHealthState;
  /** Which signals are bad, and which of those overdue: [lease, ready]. */
  readonly bad: readonly [boolean, boolean];
  readonly overdue: readonly [boolean, boolean];
  readonly reason: RegExp;
}

/** The Lease and Ready signals, when no BMC was asked. */
function leaseAndReady(health: NodeHealth): NodeHealth["signals"] {
  return health.signals.slice(0, 2);
}

describe("assessNodes: two independent signals, failed only when both are overdue", () => {
  it.each<Case>([
    {
      name: "a renewed Lease and Ready=True are healthy",
      heartbeat: ALIVE,
      state: "healthy",
      bad: [false, false],
      overdue: [false, false],
      reason: /^healthy: Lease renewed 2s ago \(timeout 20s\); Ready=True/,
    },
    {
      name: "a Lease unrenewed for exactly leaseTimeout is not late yet",
      heartbeat: { lease: 20 * SECOND, ready: ["True", 3_600 * SECOND] },
      state: "healthy",
      bad: [false, false],
      overdue: [false, false],
      reason: /Lease renewed 20s ago \(timeout 20s\)/,
    },
    {
      name: "a Lease one millisecond past leaseTimeout makes the node suspect",
      heartbeat: { lease: 20 * SECOND + 1, ready: ["True", 3_600 * SECOND] },
      state: "suspect",
      bad: [true, false],
      overdue: [true, false],
      reason: /^suspect: Lease not renewed for 20s \(timeout 20s\); Ready=True/,
    },
    {
      name: "Ready=False with a live kubelet (fresh Lease) is only suspect, however long",
      heartbeat: { lease: 2 * SECOND, ready: ["False", 600 * SECOND] },
      state: "suspect",
      bad: [false, true],
      overdue: [false, true],
      reason: /Ready=False for 10m \(timeout 10s\)/,
    },
    {
      name: "a stale Lease and Ready=Unknown for exactly notReadyTimeout fail the node",
      heartbeat: { lease: 30 * SECOND, ready: ["Unknown", 10 * SECOND] },
      state: "failed",
      bad: [true, true],
      overdue: [true, true],
      reason: /^failed: Lease not renewed for 30s \(timeout 20s\); Ready=Unknown for 10s \(timeout 10s\)/,
    },
    {
      name: "a stale Lease and Ready=Unknown one millisecond short of notReadyTimeout: both bad, still suspect",
      heartbeat: { lease: 30 * SECOND, ready: ["Unknown", 10 * SECOND - 1] },
      state: "suspect",
      bad: [true, true],
      overdue: [true, false],
      reason: /Ready=Unknown for 10s, not yet 10s/,
    },
    {
      name: "Ready=False counts like Unknown: a stale Lease and Ready=False past the timeout fail the node",
      heartbeat: { lease: 30 * SECOND, ready: ["False", 45 * SECOND] },
      state: "failed",
      bad: [true, true],
      overdue: [true, true],
      reason: /Ready=False for 45s \(timeout 10s\)/,
    },
    {
      name: "no Lease at all is a bad signal with no start; with Ready=Unknown past the timeout the node fails",
      heartbeat: { lease: null, ready: ["Unknown", 60 * SECOND] },
      state: "failed",
      bad: [true, true],
      overdue: [true, true],
      reason: /no Lease in kube-node-lease.*Ready=Unknown for 1m/,
    },
    {
      name: "no Lease but Ready=True is suspect",
      heartbeat: { lease: null, ready: ["True", 3_600 * SECOND] },
      state: "suspect",
      bad: [true, false],
      overdue: [true, false],
      reason: /^suspect: no Lease in kube-node-lease/,
    },
    {
      name: "Ready=Unknown with no lastTransitionTime is never counted against the timeout",
      heartbeat: { lease: 600 * SECOND, ready: ["Unknown", undefined] },
      state: "suspect",
      bad: [true, true],
      overdue: [true, false],
      reason: /Ready=Unknown since an unknown time, so not counted against the 10s timeout/,
    },
    {
      name: "no Ready condition at all reads as Unknown since an unknown time",
      heartbeat: { lease: null, ready: null },
      state: "suspect",
      bad: [true, true],
      overdue: [true, false],
      reason: /Ready=Unknown since an unknown time/,
    },
    {
      name: "a Ready transition in the future (clock skew) is not overdue",
      heartbeat: { lease: 30 * SECOND, ready: ["Unknown", -60 * SECOND] },
      state: "suspect",
      bad: [true, true],
      overdue: [true, false],
      reason: /Ready=Unknown for 0ms, not yet 10s/,
    },
  ])("$name", ({ heartbeat, state, bad, overdue, reason }) => {
    const health = assessOne(heartbeat);
    expect(health.state).toBe(state);
    expect(health.signals.map((signal) => signal.name)).toEqual(["lease", "ready", "power"]);
    expect(health.signals[2]).toMatchObject({ bad: false, detail: "power not read" });
    expect(leaseAndReady(health).map((signal) => signal.bad)).toEqual(bad);
    expect(leaseAndReady(health).map((signal) => signal.overdue)).toEqual(overdue);
    expect(health.reason).toMatch(reason);
  });

  it("dates each bad signal: the Lease from when it became overdue, Ready from its transition; no Lease has no date", () => {
    const stale = assessOne({ lease: 30 * SECOND, ready: ["Unknown", 12 * SECOND] });
    expect(leaseAndReady(stale).map((signal) => signal.since)).toEqual([NOW - 10 * SECOND, NOW - 12 * SECOND]);
    const missing = assessOne({ lease: null, ready: ["Unknown", 12 * SECOND] });
    expect(missing.signals[0]?.since).toBeUndefined();
    expect(assessOne(ALIVE).signals.map((signal) => signal.since)).toEqual([undefined, undefined, undefined]);
  });

  it("uses the selecting policy's own timeouts", () => {
    const patient = policiesOf(
      failoverPolicy("patient", { detection: { leaseTimeout: "40s", notReadyTimeout: "1m" } }),
    );
    const heartbeat: Heartbeat = { lease: 30 * SECOND, ready: ["Unknown", 30 * SECOND] };
    expect(assessOne(heartbeat).state).toBe("failed");
    const health = assessOne(heartbeat, patient);
    expect(health.state).toBe("suspect");
    expect(leaseAndReady(health).map((signal) => signal.bad)).toEqual([false, true]);
    expect(health.reason).toMatch(/Lease renewed 30s ago \(timeout 40s\); Ready=Unknown for 30s, not yet 1m/);
  });

  it.each([
    {
      name: "in maintenance",
      apply: (node: MutableNode) => {
        node.annotations = { "kubedrs.io/maintenance": "firmware" };
      },
      note: /in maintenance \(annotation kubedrs\.io\/maintenance=firmware\), assessed all the same/,
    },
    {
      name: "cordoned",
      apply: (node: MutableNode) => {
        node.unschedulable = true;
      },
      note: /cordoned, assessed all the same/,
    },
  ])("a node $name still fails (a host can die while drained) and the reason says so", ({ apply, note }) => {
    const dead: Heartbeat = { lease: 30 * SECOND, ready: ["Unknown", 30 * SECOND] };
    const health = assessOne(dead, DEFAULTS, apply);
    expect(health.state).toBe("failed");
    expect(health.reason).toMatch(note);
    expect(assessOne(ALIVE, DEFAULTS, apply).reason).not.toMatch(/assessed all the same/);
  });
});

interface PowerCase {
  readonly name: string;
  readonly heartbeat: Heartbeat;
  /** What the BMC said, and ms before NOW it said it. */
  readonly power: readonly ["On" | "Off" | "Unknown", number];
  readonly state: NodeHealthState;
  readonly powerBad: boolean;
  readonly reason: RegExp;
}

/** Ready still True: the node-monitor grace period has not run out, so only the Lease and the BMC can tell. */
const SILENT: Heartbeat = { lease: 25 * SECOND, ready: ["True", 3_600 * SECOND] };

describe("assessNodes: the BMC's power state as the second signal", () => {
  it.each<PowerCase>([
    {
      name: "a stale Lease and the BMC reporting Off after it fail the node before Ready has turned",
      heartbeat: SILENT,
      power: ["Off", 1 * SECOND],
      state: "failed",
      powerBad: true,
      reason: /^failed: Lease not renewed for 25s \(timeout 20s\); Ready=True; BMC reports power Off/,
    },
    {
      name: "Off with a Lease not yet overdue is only suspect (the Lease must go first)",
      heartbeat: { lease: 15 * SECOND, ready: ["True", 3_600 * SECOND] },
      power: ["Off", 1 * SECOND],
      state: "suspect",
      powerBad: true,
      reason: /^suspect: Lease renewed 15s ago/,
    },
    {
      name: "Off read before the last heartbeat says nothing of now",
      heartbeat: SILENT,
      power: ["Off", 30 * SECOND],
      state: "suspect",
      powerBad: false,
      reason: /BMC said Off before the last heartbeat/,
    },
    {
      name: "a host cut off from the network whose BMC says On is suspect until Ready agrees",
      heartbeat: SILENT,
      power: ["On", 1 * SECOND],
      state: "suspect",
      powerBad: false,
      reason: /BMC reports power On/,
    },
    {
      name: "with the BMC saying On, Ready overdue still fails the node (an isolated host is fenced)",
      heartbeat: { lease: 70 * SECOND, ready: ["Unknown", 15 * SECOND] },
      power: ["On", 1 * SECOND],
      state: "failed",
      powerBad: false,
      reason: /Ready=Unknown for 15s \(timeout 10s\); BMC reports power On/,
    },
    {
      name: "a BMC that does not answer says nothing either way",
      heartbeat: SILENT,
      power: ["Unknown", 1 * SECOND],
      state: "suspect",
      powerBad: false,
      reason: /BMC did not answer/,
    },
  ])("$name", ({ heartbeat, power, state, powerBad, reason }) => {
    const health = assessOne(heartbeat, DEFAULTS, (node) => {
      node.power = { state: power[0], observedAt: new Date(NOW - power[1]).toISOString() };
    });
    expect(health.state).toBe(state);
    expect(health.signals[2]).toMatchObject({ name: "power", bad: powerBad, overdue: powerBad });
    expect(health.reason).toMatch(reason);
  });

  it("dates an Off from the BMC's reading", () => {
    const health = assessOne(SILENT, DEFAULTS, (node) => {
      node.power = { state: "Off", observedAt: new Date(NOW - 2 * SECOND).toISOString(), detail: "Redfish" };
    });
    expect(health.signals[2]).toMatchObject({ since: NOW - 2 * SECOND, detail: "BMC reports power Off (Redfish)" });
  });
});

describe("assessNodes: which nodes are protected, and by which policy", () => {
  const labelled = (name: string, pool: string | undefined): NodeInput =>
    buildNode(name, {}, (node) => {
      beating({ lease: 30 * SECOND, ready: ["Unknown", 30 * SECOND] })(node);
      if (pool !== undefined) node.labels = { ...node.labels, pool };
    });

  it("skips nodes no policy selects and keeps name order", () => {
    const gold = failoverPolicy("gold", { nodeSelector: { matchLabels: { pool: "gold" } } });
    const model = modelOf([labelled("n3", "gold"), labelled("n1", "gold"), labelled("n2", "silver")], []);
    const health = assessNodes(model, policiesOf(gold), NOW);
    expect(health.map((entry) => entry.node)).toEqual(["n1", "n3"]);
    expect(assessNodes(model, EMPTY_POLICY_SET, NOW)).toEqual([]);
  });

  it("a node two policies select belongs to the first by name, whatever order the set lists them in", () => {
    const strict = failoverPolicy("a-strict", {
      nodeSelector: { matchLabels: { pool: "gold" } },
      detection: { leaseTimeout: "20s", notReadyTimeout: "10s" },
    });
    const lax = failoverPolicy("b-lax", { detection: { leaseTimeout: "5m", notReadyTimeout: "5m" } });
    const model = modelOf([labelled("n1", "gold"), labelled("n2", undefined)], []);
    for (const policies of [policiesOf(strict, lax), policiesOf(lax, strict)]) {
      expect(model.nodes.map((node) => failoverPolicyFor(policies, node)?.metadata.name)).toEqual([
        "a-strict",
        "b-lax",
      ]);
      const health = assessNodes(model, policies, NOW);
      expect(health.map((entry) => entry.state)).toEqual(["failed", "suspect"]);
      expect(health[0]?.reason).toMatch(/FailoverPolicy a-strict/);
    }
  });
});

describe("powerQueries: which BMCs to ask", () => {
  const redfish = policiesOf(
    failoverPolicy("hosts", {
      detection: { powerStatus: { type: "Redfish", systemUrl: "https://{node}.bmc.example/redfish/v1/Systems/1" } },
    }),
  );
  const node = (name: string, leaseAgo: number, annotation?: string): NodeInput =>
    buildNode(name, {}, (n) => {
      beating({ lease: leaseAgo, ready: ["True", 3_600 * SECOND] })(n);
      if (annotation !== undefined) n.annotations = { "kubedrs.io/redfish-system": annotation };
    });

  it.each([
    { name: "a live Lease: not asked", nodes: [node("n1", 5 * SECOND)], urls: [] },
    {
      name: "an overdue Lease: asked at the policy's template",
      nodes: [node("n1", 25 * SECOND)],
      urls: ["https://n1.bmc.example/redfish/v1/Systems/1"],
    },
    {
      name: "the node's annotation wins over the template",
      nodes: [node("n1", 25 * SECOND, "https://10.0.0.9/redfish/v1/Systems/Self")],
      urls: ["https://10.0.0.9/redfish/v1/Systems/Self"],
    },
  ])("$name", ({ nodes, urls }) => {
    const queries = powerQueries(modelOf(nodes, []), redfish, NOW);
    expect(queries.map((query) => query.url)).toEqual(urls);
    for (const query of queries) expect(query).toMatchObject({ timeout: 3, interval: 2, insecureSkipTLSVerify: false });
  });

  it("asks nothing under a policy without powerStatus, nor for a node with no URL", () => {
    const stale = node("n1", 25 * SECOND);
    expect(powerQueries(modelOf([stale], []), DEFAULTS, NOW)).toEqual([]);
    const bare = policiesOf(failoverPolicy("hosts", { detection: { powerStatus: { type: "Redfish" } } }));
    expect(powerQueries(modelOf([stale], []), bare, NOW)).toEqual([]);
  });
});
