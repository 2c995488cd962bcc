import { describe, expect, it } from "vitest";
import { failoverPolicy, policiesOf } from "../../test/support/failover-policies.ts";
import type { JsonObject } from "../adapters/kube/convert/meta.ts";
import { policyDocumentSchemas } from "../core/policy/document.ts";
import { EMPTY_POLICY_SET } from "../core/policy/policy-set.ts";
import { roundWanted } from "./round-wanted.ts";

const NOW = Date.parse("2026-11-22T08:00:00Z");

function node(
  name: string,
  extra: { ready?: string; annotations?: Record<string, string>; conditions?: object[] } = {},
): JsonObject {
  return {
    metadata: { name, annotations: extra.annotations ?? {} },
    status: { conditions: [{ type: "Ready", status: extra.ready ?? "True" }, ...(extra.conditions ?? [])] },
  };
}

function lease(name: string, secondsAgo: number): JsonObject {
  return { metadata: { name }, spec: { renewTime: new Date(NOW - secondsAgo * 1000).toISOString() } };
}

const HA = policiesOf(failoverPolicy("ha"));
const PROACTIVE = {
  ...EMPTY_POLICY_SET,
  maintenance: [
    policyDocumentSchemas.MaintenancePolicy.parse({
      apiVersion: "kubedrs.io/v1alpha1",
      kind: "MaintenancePolicy",
      metadata: { name: "p" },
      spec: { proactive: { enabled: true, conditions: [{ type: "KernelDeadlock" }] } },
    }),
  ],
};

describe("roundWanted", () => {
  it.each([
    ["a quiet cluster without failover", [node("a")], [lease("a", 5)], EMPTY_POLICY_SET, false],
    ["a quiet protected cluster", [node("a")], [lease("a", 5)], HA, false],
    ["a protected node whose Lease is stale", [node("a")], [lease("a", 25)], HA, true],
    ["a protected node without a Lease", [node("a")], [], HA, true],
    ["a protected node not Ready", [node("a", { ready: "Unknown" })], [lease("a", 5)], HA, true],
    ["an unprotected node not Ready", [node("a", { ready: "Unknown" })], [], EMPTY_POLICY_SET, false],
    [
      "a maintenance request",
      [node("a", { annotations: { "kubedrs.io/maintenance": "x" } })],
      [],
      EMPTY_POLICY_SET,
      true,
    ],
    [
      "a recovered incident kept as a record",
      [
        node("a", {
          annotations: { "kubedrs.io/incident": JSON.stringify({ phase: "Recovered", vms: [], timeline: [] }) },
        }),
      ],
      [lease("a", 5)],
      HA,
      false,
    ],
    [
      "an incident still fencing",
      [
        node("a", {
          annotations: { "kubedrs.io/incident": JSON.stringify({ phase: "Fencing", vms: [], timeline: [] }) },
        }),
      ],
      [lease("a", 5)],
      HA,
      true,
    ],
    [
      "a listed condition",
      [node("a", { conditions: [{ type: "KernelDeadlock", status: "True" }] })],
      [],
      PROACTIVE,
      true,
    ],
    [
      "a listed condition cleared",
      [node("a", { conditions: [{ type: "KernelDeadlock", status: "False" }] })],
      [],
      PROACTIVE,
      false,
    ],
  ])("%s → %s", (_case, nodes, leases, policies, wanted) => {
    expect(roundWanted({ nodes, leases, nodeMaintenances: 0 }, policies, NOW)).toBe(wanted);
  });

  it("any NodeMaintenance object asks for a round", () => {
    expect(roundWanted({ nodes: [], leases: [], nodeMaintenances: 1 }, EMPTY_POLICY_SET, NOW)).toBe(true);
  });
});
