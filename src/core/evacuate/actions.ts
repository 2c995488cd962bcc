/** The MaintenancePolicy for a node, and what it says to do with a VM that cannot live-migrate. */
import type { NodeInfo, VmInfo } from "../model/cluster.ts";
import { groupIncludes, groupOf } from "../placement/vm-groups.ts";
import { governingPolicy, type Policy, type PolicySet } from "../policy/policy-set.ts";
import type { UnmigratableAction } from "./types.ts";

type MaintenancePolicy = Policy<"MaintenancePolicy">;

/** The first MaintenancePolicy (by name) whose nodeSelector matches; undefined means the defaults. */
export function maintenancePolicyFor(policies: PolicySet, node: NodeInfo): MaintenancePolicy | undefined {
  return governingPolicy(policies.maintenance, node.labels);
}

export interface ActionChoice {
  readonly action: UnmigratableAction;
  readonly decidedBy: string;
}

/** The first rule whose VM group holds the VM, else the policy's default (Block without a policy). */
export function unmigratableAction(policy: MaintenancePolicy | undefined, vm: VmInfo): ActionChoice {
  if (!policy) return { action: "Block", decidedBy: "no MaintenancePolicy matches the node: Block" };
  const rules = policy.spec.unmigratable.rules;
  const index = rules.findIndex((rule) => groupIncludes(groupOf(rule.vms), vm));
  const rule = rules[index];
  if (rule) return { action: rule.action, decidedBy: `MaintenancePolicy ${policy.metadata.name} rule ${index + 1}` };
  return {
    action: policy.spec.unmigratable.defaultAction,
    decidedBy: `MaintenancePolicy ${policy.metadata.name} defaultAction`,
  };
}
