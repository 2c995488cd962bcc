import { describe, expect, it } from "vitest";
import { NOW, buildNode, buildVm, modelOf } from "../../../test/support/builders.ts";
import { policyDocumentSchemas } from "../policy/document.ts";
import { EMPTY_POLICY_SET, type PolicySet } from "../policy/policy-set.ts";
import { type FailoverStep, failoverStep } from "./failover-step.ts";
import type { FenceAction, FenceObservation, NodeHealthState } from "./types.ts";

const policies: PolicySet = {
  ...EMPTY_POLICY_SET,
  failover: [
    policyDocumentSchemas.FailoverPolicy.parse({
      apiVersion: "kubedrs.io/v1alpha1",
      kind: "FailoverPolicy",
      metadata: { name: "ha" },
      spec: {
        nodeSelector: { matchLabels: { ha: "on" } },
        fencing: { strategies: [{ type: "FenceAgents", template: "ipmi", timeout: 60 }] },
      },
    }),
  ],
};

const protectedNode = (name: string): ReturnType<typeof buildNode> =>
  buildNode(name, {}, (node) => {
    node.labels = { ...node.labels, ha: "on" };
  });

const model = modelOf(
  [protectedNode("dead"), protectedNode("alive"), buildNode("plain")],
  [
    buildVm("web", "dead"),
    buildVm("kept", "dead", {}, (vm) => {
      vm.runStrategy = "Halted";
    }),
    buildVm("job", "plain"),
  ],
);

function step(health: NodeHealthState, observation: FenceObservation | undefined, node = "dead"): FailoverStep {
  return failoverStep({ model, policies, now: NOW, node, health, observation, running: new Set() });
}

const at = (reported: Partial<FenceObservation>): FenceObservation => ({
  step: 0,
  startedAt: NOW - 10_000,
  confirmed: false,
  failed: false,
  ...reported,
});

describe("failoverStep", () => {
  it.each<{
    name: string;
    health: NodeHealthState;
    observation?: FenceObservation;
    node?: string;
    fence?: FenceAction["kind"];
  }>([
    { name: "a healthy node: nothing", health: "healthy" },
    { name: "a suspect node is never fenced", health: "suspect", observation: at({ confirmed: true }) },
    { name: "a node no FailoverPolicy selects: nothing", health: "failed", node: "plain" },
    { name: "a node not in the model: nothing", health: "failed", node: "gone" },
    { name: "failed, fencing not begun: start it, restart nothing", health: "failed", fence: "start" },
    { name: "failed, fencing pending: wait, restart nothing", health: "failed", observation: at({}), fence: "wait" },
    {
      name: "failed, fencing failed with nothing left: exhausted, restart nothing",
      health: "failed",
      observation: at({ failed: true }),
      fence: "exhausted",
    },
  ])("$name", ({ health, observation, node, fence }) => {
    const result = step(health, observation, node);
    expect(result.fence?.kind).toBe(fence);
    expect(result.order).toEqual([]);
    expect(result.restarts).toEqual([]);
  });

  it("failed and fenced: the whole order, and the restarts it allows now", () => {
    const result = step("failed", at({ confirmed: true }));
    expect(result.fence).toEqual({
      kind: "confirmed",
      step: 0,
      reason: "FenceAgentsRemediation Succeeded (template ipmi)",
    });
    expect(result.order.map((d) => `${d.vm} ${d.action}`)).toEqual(["default/kept leave", "default/web restart"]);
    expect(result.restarts).toEqual([expect.objectContaining({ vm: "default/web", action: "restart", fits: "alive" })]);
  });
});
