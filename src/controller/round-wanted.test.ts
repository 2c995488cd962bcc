import { describe, expect, it } from "vitest";
import { failoverPolicy, policiesOf } from "../../test/support/failover-policies.ts";
import type { JsonObject } from "../adapters/kube/convert/meta.ts";
import { policyDocumentSchemas } from "../core/policy/document.ts";
import { EMPTY_POLICY_SET } from "../core/policy/policy-set.ts";
import { roundWanted } from "./round-wanted.ts";

const NOW = Date.parse("2026-11-22T08:00:00Z");

function node(
  name: string,
  extra: { ready?: string; annotations?: Record<string, string>; conditions?: object[]; labels?: object } = {},
): JsonObject {
  return {
    metadata: { name, labels: extra.labels ?? {}, annotations: extra.annotations ?? {} },
    status: { conditions: [{ type: "Ready", status: extra.ready ?? "True" }, ...(extra.conditions ?? [])] },
  };
}

function lease(name: string, secondsAgo: number): JsonObject {
  return { metadata: { name }, spec: { renewTime: new Date(NOW - secondsAgo * 1000).toISOString() } };
}

const HA = policiesOf(failoverPolicy("ha"));
const GOLD_ONLY = policiesOf(failoverPolicy("gold", { nodeSelector: { matchLabels: { pool: "gold" } } }));

/** A node carrying an incident in `phase`, fenced 60 s before NOW. */
function withIncident(phase: string, extra: { ready?: string } = {}): JsonObject {
  const incident = { phase, vms: [], timeline: [], failedAt: new Date(NOW - 90_000).toISOString() };
  const fenced = { ...incident, fencedAt: new Date(NOW - 60_000).toISOString() };
  return node("a", { ...extra, annotations: { "kubedrs.io/incident": JSON.stringify(fenced) } });
}
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
    ["a node the only policy does not select, not Ready", [node("a", { ready: "Unknown" })], [], GOLD_ONLY, false],
    [
      "a node the policy selects, not Ready",
      [node("a", { ready: "Unknown", labels: { pool: "gold" } })],
      [lease("a", 5)],
      GOLD_ONLY,
      true,
    ],
    [
      "a host still dead after its VMs recovered elsewhere",
      [withIncident("Recovered", { ready: "Unknown" })],
      [lease("a", 120)],
      HA,
      false,
    ],
    [
      "a host back after recovery and failing again",
      [withIncident("Recovered", { ready: "Unknown" })],
      [lease("a", 30)],
      HA,
      true,
    ],
    [
      "a host still dead after fencing gave up",
      [withIncident("FencingFailed", { ready: "Unknown" })],
      [lease("a", 120)],
      HA,
      false,
    ],
    [
      "a host back after fencing gave up (its incident to close)",
      [withIncident("FencingFailed")],
      [lease("a", 5)],
      HA,
      true,
    ],
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
