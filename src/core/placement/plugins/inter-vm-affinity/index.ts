/**
 * InterVmAffinity: the required pod affinity and anti-affinity in VM specs (KubeVirt copies them to
 * the virt-launcher pod), including the symmetric rule: an existing VM's anti-affinity keeps
 * matching VMs out of its domain. PreferredVmAffinity scores the preferred terms.
 */
import type { NodeInfo, PodAffinityTerm, VmInfo } from "../../../model/cluster.ts";
import { describeSelector } from "../../../model/selectors.ts";
import type { FilterPlugin, PlacementContext, ScorePlugin } from "../../framework.ts";
import { DomainCounts, type GroupSpec, domainCounts, groupIncludes, groupKey } from "../../vm-groups.ts";

export function termGroup(term: PodAffinityTerm, owner: VmInfo): GroupSpec {
  const selector = term.namespaceSelector;
  if (selector) {
    const empty =
      Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0;
    return { selector: term.labelSelector, namespaces: empty ? { kind: "all" } : { kind: "selector", selector } };
  }
  const names = term.namespaces && term.namespaces.length > 0 ? term.namespaces : [owner.namespace];
  return { selector: term.labelSelector, namespaces: { kind: "names", names: new Set(names) } };
}

/**
 * Pods matching a term in a domain, as the scheduler will see them when it places this VM's new
 * pod. A live migration's source pod is still running then, with the VM's labels and terms, so
 * it counts; a restart after a failure starts from no pod, so the VM itself does not.
 */
function matching(ctx: PlacementContext, group: DomainCounts, domain: string, vm: VmInfo): number {
  return ctx.purpose === "restart" ? group.countIn(domain, vm.index) : group.count(domain);
}

function counts(ctx: PlacementContext, term: PodAffinityTerm, owner: VmInfo): DomainCounts {
  return domainCounts(termGroup(term, owner), term.topologyKey, ctx);
}

interface AntiAffinityTerm {
  readonly group: GroupSpec;
  readonly topologyKey: string;
  /** VMs whose spec carries this term, counted per domain. */
  readonly owners: DomainCounts;
  readonly example: string;
}

/** Every distinct required anti-affinity term in the cluster, with the VMs that own it. */
function antiAffinityTerms(ctx: PlacementContext): AntiAffinityTerm[] {
  return ctx.state.get("InterVmAffinity/anti-terms", () => {
    const byKey = new Map<string, { group: GroupSpec; topologyKey: string; owners: Set<number>; example: string }>();
    for (const vm of ctx.model.vms) {
      for (const term of vm.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []) {
        const group = termGroup(term, vm);
        const key = `${groupKey(group)}@${term.topologyKey}`;
        const entry = byKey.get(key) ?? {
          group,
          topologyKey: term.topologyKey,
          owners: new Set<number>(),
          example: vm.key,
        };
        entry.owners.add(vm.index);
        byKey.set(key, entry);
      }
    }
    // The owners are a group defined by membership, not by a selector.
    const owners: GroupSpec = { selector: undefined, namespaces: { kind: "all" } };
    return [...byKey.values()].map((entry) => ({
      group: entry.group,
      topologyKey: entry.topologyKey,
      owners: new DomainCounts(owners, entry.topologyKey, entry.owners, ctx.placement),
      example: entry.example,
    }));
  });
}

function affinityRejection(ctx: PlacementContext, vm: VmInfo, node: NodeInfo): string | undefined {
  for (const term of vm.affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []) {
    const domain = node.labels[term.topologyKey];
    if (domain === undefined) return `node has no ${term.topologyKey} label, which the VM's pod affinity needs`;
    const group = counts(ctx, term, vm);
    if (matching(ctx, group, domain, vm) > 0) continue;
    // Kubernetes lets the first pod of a self-affine group go anywhere (a restart; a migrating
    // VM's own source pod already matches somewhere).
    const alone =
      ctx.purpose === "restart" && group.domainsWithout(vm.index).length === 0 && groupIncludes(group.spec, vm);
    if (!alone)
      return `pod affinity: no VM matching ${describeSelector(term.labelSelector)} in ${term.topologyKey}=${domain}`;
  }
  return undefined;
}

function antiAffinityRejection(ctx: PlacementContext, vm: VmInfo, node: NodeInfo): string | undefined {
  for (const term of vm.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []) {
    const domain = node.labels[term.topologyKey];
    if (domain === undefined) continue;
    if (matching(ctx, counts(ctx, term, vm), domain, vm) > 0) {
      return `pod anti-affinity: a VM matching ${describeSelector(term.labelSelector)} already runs in ${term.topologyKey}=${domain}`;
    }
  }
  return undefined;
}

/** Anti-affinity terms indexed by their selector's first matchLabels pair, to find a VM's terms fast. */
interface AntiAffinityIndex {
  readonly byLabel: ReadonlyMap<string, readonly AntiAffinityTerm[]>;
  /** Terms whose selector has no matchLabels: any VM may match them. */
  readonly unkeyed: readonly AntiAffinityTerm[];
}

function antiAffinityIndex(ctx: PlacementContext): AntiAffinityIndex {
  return ctx.state.get("InterVmAffinity/anti-index", () => {
    const byLabel = new Map<string, AntiAffinityTerm[]>();
    const unkeyed: AntiAffinityTerm[] = [];
    for (const term of antiAffinityTerms(ctx)) {
      const first = Object.entries(term.group.selector?.matchLabels ?? {})[0];
      if (!first) {
        unkeyed.push(term);
        continue;
      }
      const key = `${first[0]}=${first[1]}`;
      byLabel.set(key, [...(byLabel.get(key) ?? []), term]);
    }
    return { byLabel, unkeyed };
  });
}

/** The cluster's anti-affinity terms whose selector picks this VM. */
function antiTermsMatching(ctx: PlacementContext, vm: VmInfo): readonly AntiAffinityTerm[] {
  return ctx.state.memo("InterVmAffinity/matching", vm.index, () => {
    const index = antiAffinityIndex(ctx);
    const candidates = [...index.unkeyed];
    for (const [key, value] of Object.entries(vm.labels))
      candidates.push(...(index.byLabel.get(`${key}=${value}`) ?? []));
    return candidates.filter((term) => groupIncludes(term.group, vm));
  });
}

function symmetricRejection(ctx: PlacementContext, vm: VmInfo, node: NodeInfo): string | undefined {
  for (const term of antiTermsMatching(ctx, vm)) {
    const domain = node.labels[term.topologyKey];
    if (domain === undefined) continue;
    if (matching(ctx, term.owners, domain, vm) > 0) {
      return `anti-affinity of VMs such as ${term.example} keeps VMs matching ${describeSelector(term.group.selector)} out of ${term.topologyKey}=${domain}`;
    }
  }
  return undefined;
}

export const interVmAffinity: FilterPlugin = {
  name: "InterVmAffinity",
  static: false,
  filter(ctx, vm, node) {
    return (
      affinityRejection(ctx, vm, node) ?? antiAffinityRejection(ctx, vm, node) ?? symmetricRejection(ctx, vm, node)
    );
  },
};

function weightedMatches(ctx: PlacementContext, vm: VmInfo, node: NodeInfo, terms: readonly WeightedTerm[]): number {
  let total = 0;
  for (const { weight, podAffinityTerm: term } of terms) {
    const domain = node.labels[term.topologyKey];
    if (domain !== undefined && counts(ctx, term, vm).countIn(domain, vm.index) > 0) total += weight;
  }
  return total;
}

type WeightedTerm = { readonly weight: number; readonly podAffinityTerm: PodAffinityTerm };

/** Preferred pod affinity adds its weight where matching VMs run; preferred anti-affinity subtracts it. */
export const preferredVmAffinity: ScorePlugin = {
  name: "PreferredVmAffinity",
  defaultWeight: 2,
  normalize: "min-max",
  score(ctx, vm, node) {
    const affinity = vm.affinity;
    const attract = affinity?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
    const repel = affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
    return weightedMatches(ctx, vm, node, attract) - weightedMatches(ctx, vm, node, repel);
  },
};
