/** The MaintenancePolicy for a node, and what it says to do with a VM that cannot live-migrate. */
import type { NodeInfo, VmInfo } from "../model/cluster.ts";
import { labelSelectorMatches } from "../model/selectors.ts";
import { groupIncludes, groupOf } from "../placement/vm-groups.ts";
import { type Policy, type PolicySet } from "../policy/policy-set.ts";
import type { UnmigratableAction } from "./types.ts";

type MaintenancePolicy = Policy<"MaintenancePolicy">;

/** The first MaintenancePolicy (by name) whose nodeSelector matches; undefined means the defaults. */
export function maintenancePolicyFor(policies: PolicySet, node: NodeInfo): MaintenancePolicy | undefined {
  return [...policies.maintenance]
    .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1))
    .find((policy) => labelSelectorMatches(policy.spec.nodeSelector, node.labels));
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
