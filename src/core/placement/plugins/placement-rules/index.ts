/**
 * PlacementRules: kubedrs' VM-VM and VM-Host rules (DRS must/should rules). Required rules are a
 * filter no plan breaks; Preferred rules add or subtract their weight in PreferredRules.
 */
import type { NodeInfo, VmInfo } from "../../../model/cluster.ts";
import { labelSelectorMatches } from "../../../model/selectors.ts";
import type { Policy } from "../../../policy/policy-set.ts";
import type { FilterPlugin, PlacementContext, ScorePlugin } from "../../framework.ts";
import { type GroupSpec, domainCounts, groupIncludes, groupOf } from "../../vm-groups.ts";

type Rule = Policy<"PlacementRule">;

export function ruleGroup(rule: Rule): GroupSpec {
  return groupOf(rule.spec.vms);
}

/** The rules this VM is a member of, split by enforcement; computed once per VM per pass. */
function rulesFor(ctx: PlacementContext, vm: VmInfo): readonly Rule[] {
  return ctx.state.memo("PlacementRules", vm.index, () =>
    ctx.policies.placementRules.filter((rule) => groupIncludes(ruleGroup(rule), vm)),
  );
}

function hostRuleViolation(rule: Rule, node: NodeInfo, prefix: string): string | undefined {
  const inGroup = labelSelectorMatches(rule.spec.nodes?.selector, node.labels);
  if (rule.spec.type === "NodeAffinity" && !inGroup) return `${prefix}: ${node.name} is not in the rule's host group`;
  if (rule.spec.type === "NodeAntiAffinity" && inGroup)
    return `${prefix}: ${node.name} is in the rule's excluded host group`;
  return undefined;
}

function vmRuleViolation(ctx: PlacementContext, rule: Rule, vm: VmInfo, node: NodeInfo): string | undefined {
  const { spec } = rule;
  const prefix = `rule ${rule.metadata.name} (${spec.enforcement} ${spec.type})`;
  const domain = node.labels[spec.topologyKey];
  const group = domainCounts(ruleGroup(rule), spec.topologyKey, ctx);
  if (spec.type === "VmAntiAffinity") {
    const others = domain === undefined ? 0 : group.countIn(domain, vm.index);
    return others > 0
      ? `${prefix}: ${others} other VM(s) of the group already in ${spec.topologyKey}=${domain}`
      : undefined;
  }
  const together = group.domainsWithout(vm.index);
  if (together.length === 0 || (domain !== undefined && together.includes(domain))) return undefined;
  return `${prefix}: the group stays together in ${spec.topologyKey}=${together.join(" or ")}`;
}

/** Undefined when the node satisfies the rule for this VM, else why it does not. */
export function ruleViolation(ctx: PlacementContext, rule: Rule, vm: VmInfo, node: NodeInfo): string | undefined {
  if (rule.spec.type === "NodeAffinity" || rule.spec.type === "NodeAntiAffinity") {
    return hostRuleViolation(rule, node, `rule ${rule.metadata.name} (${rule.spec.enforcement} ${rule.spec.type})`);
  }
  return vmRuleViolation(ctx, rule, vm, node);
}

export const placementRules: FilterPlugin = {
  name: "PlacementRules",
  static: false,
  filter(ctx, vm, node) {
    for (const rule of rulesFor(ctx, vm)) {
      if (rule.spec.enforcement !== "Required") continue;
      const violation = ruleViolation(ctx, rule, vm, node);
      if (violation) return violation;
    }
    return undefined;
  },
};

export const preferredRules: ScorePlugin = {
  name: "PreferredRules",
  defaultWeight: 3,
  normalize: "min-max",
  score(ctx, vm, node) {
    let total = 0;
    for (const rule of rulesFor(ctx, vm)) {
      if (rule.spec.enforcement !== "Preferred") continue;
      total += ruleViolation(ctx, rule, vm, node) ? -rule.spec.weight : rule.spec.weight;
    }
    return total;
  },
};
