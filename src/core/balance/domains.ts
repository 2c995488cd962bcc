/**
 * Which nodes each BalancePolicy balances. Policies claim the nodes their nodeSelector matches, in
 * name order; a node already claimed stays with the first policy (the plan warns about it).
 * Without any BalancePolicy, the default one balances every node.
 */
import type { ClusterModel } from "../model/cluster.ts";
import { labelSelectorMatches } from "../model/selectors.ts";
import { nodeTakesVms } from "../placement/plugins/node-schedulable/index.ts";
import { type Policy, type PolicySet, defaultBalancePolicy } from "../policy/policy-set.ts";

export interface DomainAssignment {
  readonly policy: Policy<"BalancePolicy">;
  /** Every node the policy claims. */
  readonly nodes: readonly number[];
  /** The claimed nodes that can take VMs now (Ready, schedulable, not in maintenance). */
  readonly active: readonly number[];
}

export function assignDomains(
  model: ClusterModel,
  policies: PolicySet,
): { domains: DomainAssignment[]; warnings: string[] } {
  const balancePolicies = policies.balance.length > 0 ? policies.balance : [defaultBalancePolicy()];
  const owner = new Map<number, string>();
  const warnings: string[] = [];
  const domains = balancePolicies.map((policy) => {
    const nodes: number[] = [];
    for (const node of model.nodes) {
      if (!labelSelectorMatches(policy.spec.nodeSelector, node.labels)) continue;
      const first = owner.get(node.index);
      if (first !== undefined) {
        warnings.push(
          `node ${node.name} matches BalancePolicies ${first} and ${policy.metadata.name}; ${first} balances it`,
        );
        continue;
      }
      owner.set(node.index, policy.metadata.name);
      nodes.push(node.index);
    }
    const active = nodes.filter((index) => {
      const node = model.nodes[index];
      return node !== undefined && nodeTakesVms(node);
    });
    return { policy, nodes, active };
  });
  return { domains, warnings };
}
