import { describe, expect, it } from "vitest";
import { NOW } from "../../../test/support/builders.ts";
import { failoverPolicySpec } from "../policy/kinds/failover-policy.ts";
import { type FencingSpec, isFenced, nextFenceAction } from "./fencing.ts";
import type { FenceAction, FenceObservation } from "./types.ts";

type StrategyInput = Record<string, unknown> & { type: string };

function fencing(strategies: StrategyInput[], acknowledgeUnsafeNoFencing = false): FencingSpec {
  return failoverPolicySpec.parse({ fencing: { strategies, acknowledgeUnsafeNoFencing } }).fencing;
}

const FAR = { type: "FenceAgents", template: "ipmi", timeout: 120 };
const SNR = { type: "SelfNodeRemediation", safeTime: 180, timeout: 300 };
const EXTERNAL = { type: "External", timeout: 600 };
const S = 1000;

/** Step `step` began at NOW; the observation is what it has reported since. */
function seen(step: number, reported: Partial<Pick<FenceObservation, "confirmed" | "failed">> = {}): FenceObservation {
  return { step, startedAt: NOW, confirmed: false, failed: false, ...reported };
}

interface Case {
  readonly name: string;
  readonly spec: FencingSpec;
  readonly observation: FenceObservation | undefined;
  /** Milliseconds after NOW. */
  readonly after: number;
  readonly want: Partial<FenceAction> & { kind: FenceAction["kind"] };
  readonly reason: RegExp;
}

const cases: Case[] = [
  // Starting: step 0, named.
  {
    name: "no observation: start FenceAgents",
    spec: fencing([FAR, SNR]),
    observation: undefined,
    after: 0,
    want: { kind: "start", step: 0 },
    reason: /^start fencing with FenceAgents \(template ipmi\), timeout 2m$/,
  },
  {
    name: "no observation: start SelfNodeRemediation",
    spec: fencing([SNR]),
    observation: undefined,
    after: 0,
    want: { kind: "start", step: 0 },
    reason:
      /^start fencing with SelfNodeRemediation \(template self-node-remediation-automatic-strategy-template, safe time 3m\), timeout 5m$/,
  },
  {
    name: "no observation: start External",
    spec: fencing([EXTERNAL]),
    observation: undefined,
    after: 0,
    want: { kind: "start", step: 0 },
    reason: /^start fencing with External \(annotation kubedrs\.io\/fenced\), timeout 10m$/,
  },
  {
    name: "no observation, None acknowledged: confirmed at once, and says it is unsafe",
    spec: fencing([{ type: "None" }], true),
    observation: undefined,
    after: 0,
    want: { kind: "confirmed", step: 0 },
    reason: /^fencing strategy None: UNSAFE, acknowledged by fencing\.acknowledgeUnsafeNoFencing;/,
  },
  {
    name: "an observation of the None step: confirmed",
    spec: fencing([{ type: "None" }], true),
    observation: seen(0),
    after: 5 * S,
    want: { kind: "confirmed", step: 0 },
    reason: /UNSAFE/,
  },
  // Confirmations, each saying what confirmed it.
  {
    name: "FenceAgents Succeeded: confirmed",
    spec: fencing([FAR, SNR]),
    observation: seen(0, { confirmed: true }),
    after: 30 * S,
    want: { kind: "confirmed", step: 0 },
    reason: /^FenceAgentsRemediation Succeeded \(template ipmi\)$/,
  },
  {
    name: "External annotation: confirmed",
    spec: fencing([EXTERNAL]),
    observation: seen(0, { confirmed: true }),
    after: 30 * S,
    want: { kind: "confirmed", step: 0 },
    reason: /^annotation kubedrs\.io\/fenced set by an external system$/,
  },
  {
    name: "SNR confirmed at exactly its safe time: confirmed",
    spec: fencing([SNR]),
    observation: seen(0, { confirmed: true }),
    after: 180 * S,
    want: { kind: "confirmed", step: 0 },
    reason: /^SelfNodeRemediation safe time 3m elapsed after the node was taken$/,
  },
  {
    name: "a confirmation that arrives after the timeout still counts",
    spec: fencing([FAR, SNR]),
    observation: seen(0, { confirmed: true }),
    after: 500 * S,
    want: { kind: "confirmed", step: 0 },
    reason: /^FenceAgentsRemediation Succeeded/,
  },
  {
    name: "confirmed and failed at once: the positive confirmation wins",
    spec: fencing([FAR, SNR]),
    observation: seen(0, { confirmed: true, failed: true }),
    after: 10 * S,
    want: { kind: "confirmed", step: 0 },
    reason: /^FenceAgentsRemediation Succeeded/,
  },
  // SNR is never confirmed early, neither by the machine nor on a premature report.
  {
    name: "SNR past its safe time but not reported confirmed: wait, no confirmation on time alone",
    spec: fencing([SNR]),
    observation: seen(0),
    after: 200 * S,
    want: { kind: "wait", step: 0, until: NOW + 300 * S },
    reason: /^waiting for SelfNodeRemediation .* to confirm the node is fenced \(1m40s left of its 5m timeout\)$/,
  },
  {
    name: "SNR reported confirmed 1 ms before its safe time: wait until the safe time",
    spec: fencing([SNR]),
    observation: seen(0, { confirmed: true }),
    after: 180 * S - 1,
    want: { kind: "wait", step: 0, until: NOW + 180 * S },
    reason: /reported the node fenced before its safe time had passed since the step began; not trusted until then$/,
  },
  {
    name: "SNR reported confirmed early, with a timeout shorter than its safe time: escalates at the timeout",
    spec: fencing([{ ...SNR, timeout: 60 }, FAR]),
    observation: seen(0, { confirmed: true }),
    after: 60 * S,
    want: { kind: "start", step: 1 },
    reason: /^SelfNodeRemediation .* not confirmed within its 1m timeout; escalating to FenceAgents/,
  },
  // Timeouts at the exact boundary.
  {
    name: "FenceAgents 1 ms before its timeout: wait until the timeout",
    spec: fencing([FAR, SNR]),
    observation: seen(0),
    after: 120 * S - 1,
    want: { kind: "wait", step: 0, until: NOW + 120 * S },
    reason: /^waiting for FenceAgents \(template ipmi\) to confirm the node is fenced \(1ms left of its 2m timeout\)$/,
  },
  {
    name: "FenceAgents at exactly its timeout: escalate to the next step",
    spec: fencing([FAR, SNR]),
    observation: seen(0),
    after: 120 * S,
    want: { kind: "start", step: 1 },
    reason:
      /^FenceAgents \(template ipmi\) not confirmed within its 2m timeout; escalating to SelfNodeRemediation \(.*\), timeout 5m$/,
  },
  {
    name: "External at exactly its timeout, the last step: exhausted",
    spec: fencing([FAR, EXTERNAL]),
    observation: seen(1),
    after: 600 * S,
    want: { kind: "exhausted" },
    reason:
      /^fencing could not be confirmed: External \(annotation kubedrs\.io\/fenced\) not confirmed within its 10m timeout, and no strategy is left; VMs are NOT restarted$/,
  },
  // Failure escalates before the timeout.
  {
    name: "FenceAgents failed: escalate at once",
    spec: fencing([FAR, EXTERNAL]),
    observation: seen(0, { failed: true }),
    after: 5 * S,
    want: { kind: "start", step: 1 },
    reason:
      /^FenceAgents \(template ipmi\) failed; escalating to External \(annotation kubedrs\.io\/fenced\), timeout 10m$/,
  },
  {
    name: "the last step failed: exhausted",
    spec: fencing([FAR]),
    observation: seen(0, { failed: true }),
    after: 5 * S,
    want: { kind: "exhausted" },
    reason:
      /^fencing could not be confirmed: FenceAgents \(template ipmi\) failed, and no strategy is left; VMs are NOT restarted$/,
  },
  {
    name: "escalating into an acknowledged None: confirmed, unsafe",
    spec: fencing([FAR, { type: "None" }], true),
    observation: seen(0, { failed: true }),
    after: 5 * S,
    want: { kind: "confirmed", step: 1 },
    reason: /^FenceAgents \(template ipmi\) failed; fencing strategy None: UNSAFE/,
  },
  {
    name: "a step the policy no longer has: exhausted",
    spec: fencing([FAR]),
    observation: seen(3),
    after: 5 * S,
    want: { kind: "exhausted" },
    reason: /^fencing could not be confirmed: step 3 is not among the policy's 1 strategies; VMs are NOT restarted$/,
  },
];

describe("nextFenceAction", () => {
  it.each(cases)("$name", ({ spec, observation, after, want, reason }) => {
    const action = nextFenceAction(spec, observation, NOW + after);
    expect(action).toMatchObject(want);
    expect(action.reason).toMatch(reason);
  });

  // The schema forbids None without the acknowledgement; the machine does not trust it either.
  it.each<{ name: string; strategies: FencingSpec["strategies"]; want: FenceAction }>([
    {
      name: "None alone: exhausted",
      strategies: [{ type: "None" }],
      want: {
        kind: "exhausted",
        reason:
          "fencing could not be confirmed: strategy None skipped: fencing.acknowledgeUnsafeNoFencing is not set, and no strategy is left; VMs are NOT restarted",
      },
    },
    {
      name: "None first: skipped to the next",
      strategies: [{ type: "None" }, { type: "External", annotation: "kubedrs.io/fenced", timeout: 600 }],
      want: {
        kind: "start",
        step: 1,
        reason:
          "strategy None skipped: fencing.acknowledgeUnsafeNoFencing is not set; escalating to External (annotation kubedrs.io/fenced), timeout 10m",
      },
    },
  ])("None without the acknowledgement is never confirmed: $name", ({ strategies, want }) => {
    const spec: FencingSpec = { strategies, acknowledgeUnsafeNoFencing: false, release: "OutOfServiceTaint" };
    expect(nextFenceAction(spec, undefined, NOW)).toEqual(want);
    expect(nextFenceAction(spec, seen(0), NOW)).toEqual(want);
  });

  it("an empty strategy list (which the schema rejects) is exhausted", () => {
    const spec: FencingSpec = { strategies: [], acknowledgeUnsafeNoFencing: true, release: "OutOfServiceTaint" };
    expect(nextFenceAction(spec, undefined, NOW)).toEqual({
      kind: "exhausted",
      reason:
        "fencing could not be confirmed: no fencing strategy is configured, and no strategy is left; VMs are NOT restarted",
    });
  });
});

describe("isFenced", () => {
  it.each<[FenceAction | undefined, boolean]>([
    [{ kind: "confirmed", step: 0, reason: "" }, true],
    [{ kind: "start", step: 0, reason: "" }, false],
    [{ kind: "wait", step: 0, until: NOW, reason: "" }, false],
    [{ kind: "exhausted", reason: "" }, false],
    [undefined, false],
  ])("%o → %s", (action, want) => {
    expect(isFenced(action)).toBe(want);
  });
});
