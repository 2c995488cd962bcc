import type { z } from "zod";
import { describe, expect, it } from "vitest";
import { buildNode, buildVm, modelOf } from "../../../test/support/builders.ts";
import { nodeNamed, vmNamed } from "../../../test/support/placement-context.ts";
import { policyDocumentSchemas } from "../policy/document.ts";
import type { maintenancePolicySpec } from "../policy/kinds/maintenance-policy.ts";
import { EMPTY_POLICY_SET, type Policy } from "../policy/policy-set.ts";
import { maintenancePolicyFor, unmigratableAction } from "./actions.ts";

function maintenancePolicy(
  name: string,
  spec: z.input<typeof maintenancePolicySpec> = {},
): Policy<"MaintenancePolicy"> {
  return policyDocumentSchemas.MaintenancePolicy.parse({
    apiVersion: "kubedrs.io/v1alpha1",
    kind: "MaintenancePolicy",
    metadata: { name },
    spec,
  });
}

const model = modelOf(
  [
    buildNode("gpu-1", {}, (node) => {
      node.labels = { ...node.labels, "nvidia.com/gpu.present": "true" };
    }),
    buildNode("plain-1"),
  ],
  [
    buildVm("db", "gpu-1", {}, (vm) => {
      vm.namespace = "prod";
      vm.labels = { app: "db", tier: "data" };
    }),
    buildVm("cache", "gpu-1", {}, (vm) => {
      vm.namespace = "staging";
      vm.labels = { app: "cache", tier: "data" };
    }),
    buildVm("web", "plain-1", {}, (vm) => {
      vm.namespace = "prod";
      vm.labels = { app: "web" };
    }),
  ],
);

const ctx = { model };

describe("unmigratableAction", () => {
  const ordered = maintenancePolicy("ordered", {
    unmigratable: {
      defaultAction: "Leave",
      rules: [
        { vms: { selector: { matchLabels: { app: "db" } } }, action: "ShutdownAndRestartElsewhere" },
        { vms: { selector: { matchLabels: { tier: "data" } } }, action: "Block" },
        { vms: { selector: {} }, action: "Leave" },
      ],
    },
  });

  it.each<{ name: string; policy: Policy<"MaintenancePolicy"> | undefined; vm: string; action: string; by: string }>([
    {
      name: "without a MaintenancePolicy, Block",
      policy: undefined,
      vm: "prod/db",
      action: "Block",
      by: "no MaintenancePolicy matches the node: Block",
    },
    {
      name: "the first rule that holds the VM wins over later ones that also do",
      policy: ordered,
      vm: "prod/db",
      action: "ShutdownAndRestartElsewhere",
      by: "MaintenancePolicy ordered rule 1",
    },
    {
      name: "a VM the first rule misses falls to the second",
      policy: ordered,
      vm: "staging/cache",
      action: "Block",
      by: "MaintenancePolicy ordered rule 2",
    },
    {
      name: "an empty selector holds every VM",
      policy: ordered,
      vm: "prod/web",
      action: "Leave",
      by: "MaintenancePolicy ordered rule 3",
    },
    {
      name: "a rule's namespaces leave out VMs elsewhere (defaultAction)",
      policy: maintenancePolicy("prod-only", {
        unmigratable: {
          defaultAction: "Leave",
          rules: [{ vms: { selector: { matchLabels: { tier: "data" } }, namespaces: ["prod"] }, action: "Block" }],
        },
      }),
      vm: "staging/cache",
      action: "Leave",
      by: "MaintenancePolicy prod-only defaultAction",
    },
    {
      name: "a rule's namespaces hold the VMs in them",
      policy: maintenancePolicy("prod-only", {
        unmigratable: {
          defaultAction: "Leave",
          rules: [{ vms: { selector: { matchLabels: { tier: "data" } }, namespaces: ["prod"] }, action: "Block" }],
        },
      }),
      vm: "prod/db",
      action: "Block",
      by: "MaintenancePolicy prod-only rule 1",
    },
    {
      name: "no rule holds the VM: the policy's defaultAction",
      policy: maintenancePolicy("restart", {
        unmigratable: {
          defaultAction: "ShutdownAndRestartElsewhere",
          rules: [{ vms: { selector: { matchLabels: { app: "db" } } }, action: "Leave" }],
        },
      }),
      vm: "prod/web",
      action: "ShutdownAndRestartElsewhere",
      by: "MaintenancePolicy restart defaultAction",
    },
    {
      name: "a policy with no rules and no defaultAction: Block, its default",
      policy: maintenancePolicy("bare"),
      vm: "prod/web",
      action: "Block",
      by: "MaintenancePolicy bare defaultAction",
    },
  ])("$name", ({ policy, vm, action, by }) => {
    expect(unmigratableAction(policy, vmNamed(ctx, vm))).toEqual({ action, decidedBy: by });
  });
});

describe("maintenancePolicyFor", () => {
  const everyNode = maintenancePolicy("b-every-node");
  const gpuNodes = maintenancePolicy("a-gpu-nodes", {
    nodeSelector: { matchLabels: { "nvidia.com/gpu.present": "true" } },
  });
  const zoneB = maintenancePolicy("c-zone-b", {
    nodeSelector: { matchExpressions: [{ key: "topology.kubernetes.io/zone", operator: "In", values: ["zone-b"] }] },
  });

  it.each<{ name: string; policies: Policy<"MaintenancePolicy">[]; node: string; want: string | undefined }>([
    { name: "no MaintenancePolicy at all", policies: [], node: "gpu-1", want: undefined },
    { name: "none whose nodeSelector matches", policies: [gpuNodes, zoneB], node: "plain-1", want: undefined },
    {
      name: "of two that match, the first by name, whatever the set's order",
      policies: [everyNode, zoneB, gpuNodes],
      node: "gpu-1",
      want: "a-gpu-nodes",
    },
    {
      name: "the first by name that matches, skipping one that does not",
      policies: [gpuNodes, everyNode],
      node: "plain-1",
      want: "b-every-node",
    },
  ])("$name", ({ policies, node, want }) => {
    const found = maintenancePolicyFor({ ...EMPTY_POLICY_SET, maintenance: policies }, nodeNamed(ctx, node));
    expect(found?.metadata.name).toBe(want);
  });
});
