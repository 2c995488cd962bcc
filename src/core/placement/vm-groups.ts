/**
 * Groups of VMs picked by a label selector and a namespace filter, and how many of a group's VMs
 * sit in each topology domain (the values of one node label, e.g. hostname or zone). Counts stay
 * current as the placement moves VMs. Inter-VM affinity and PlacementRules both rest on this.
 */
import type { ClusterModel, VmInfo } from "../model/cluster.ts";
import type { Placement } from "../model/placement.ts";
import { type LabelSelector, describeSelector, labelSelectorMatches } from "../model/selectors.ts";
import type { CycleState } from "./framework.ts";

export type NamespaceFilter =
  | { readonly kind: "all" }
  | { readonly kind: "names"; readonly names: ReadonlySet<string> }
  | { readonly kind: "selector"; readonly selector: LabelSelector };

export interface GroupSpec {
  readonly selector: LabelSelector | undefined;
  readonly namespaces: NamespaceFilter;
}

/** A policy's VM group (selector, namespaces; none means all) as a GroupSpec. */
export function groupOf(vms: { readonly selector: LabelSelector; readonly namespaces: readonly string[] }): GroupSpec {
  const names = vms.namespaces;
  return {
    selector: vms.selector,
    namespaces: names.length === 0 ? { kind: "all" } : { kind: "names", names: new Set(names) },
  };
}

export function groupKey(spec: GroupSpec): string {
  const namespaces =
    spec.namespaces.kind === "names"
      ? [...spec.namespaces.names].sort()
      : spec.namespaces.kind === "selector"
        ? spec.namespaces.selector
        : "*";
  return JSON.stringify([spec.selector ?? {}, namespaces]);
}

export function describeGroup(spec: GroupSpec): string {
  const where = spec.namespaces.kind === "names" ? ` in ${[...spec.namespaces.names].join(",")}` : "";
  return `VMs matching ${describeSelector(spec.selector)}${where}`;
}

export function groupIncludes(spec: GroupSpec, vm: VmInfo): boolean {
  const ns = spec.namespaces;
  if (ns.kind === "names" && !ns.names.has(vm.namespace)) return false;
  if (ns.kind === "selector" && !labelSelectorMatches(ns.selector, vm.namespaceLabels)) return false;
  return labelSelectorMatches(spec.selector, vm.labels);
}

const labelIndexes = new WeakMap<ClusterModel, Map<string, number[]>>();

/**
 * VMs by label pair, so a selector with matchLabels only looks at VMs that could match. Labels
 * never change within a model, so the index is built once per model.
 */
function labelIndex(model: ClusterModel): Map<string, number[]> {
  const known = labelIndexes.get(model);
  if (known) return known;
  const index = buildLabelIndex(model);
  labelIndexes.set(model, index);
  return index;
}

function buildLabelIndex(model: ClusterModel): Map<string, number[]> {
  const index = new Map<string, number[]>();
  for (const vm of model.vms) {
    for (const [key, value] of Object.entries(vm.labels)) {
      const pair = `${key}=${value}`;
      let list = index.get(pair);
      if (!list) {
        list = [];
        index.set(pair, list);
      }
      list.push(vm.index);
    }
  }
  return index;
}

function candidatesFor(spec: GroupSpec, model: ClusterModel): Iterable<number> {
  const pairs = Object.entries(spec.selector?.matchLabels ?? {});
  if (pairs.length === 0) return model.vms.keys();
  const index = labelIndex(model);
  let smallest: number[] = [];
  let size = Number.POSITIVE_INFINITY;
  for (const [key, value] of pairs) {
    const list = index.get(`${key}=${value}`) ?? [];
    if (list.length < size) {
      smallest = list;
      size = list.length;
    }
  }
  return smallest;
}

/** A group's members counted per domain of one topology key. */
export class DomainCounts {
  readonly spec: GroupSpec;
  readonly topologyKey: string;
  readonly members: ReadonlySet<number>;
  private readonly counts = new Map<string, number>();
  private readonly placement: Placement;

  constructor(spec: GroupSpec, topologyKey: string, members: ReadonlySet<number>, placement: Placement) {
    this.spec = spec;
    this.topologyKey = topologyKey;
    this.members = members;
    this.placement = placement;
    for (const vm of members) this.add(this.domainOfNode(placement.nodeOf(vm)), 1);
    placement.subscribe((vm, from, to) => {
      if (!this.members.has(vm)) return;
      this.add(this.domainOfNode(from), -1);
      this.add(this.domainOfNode(to), 1);
    });
  }

  domainOfNode(node: number): string | undefined {
    return this.placement.model.nodes[node]?.labels[this.topologyKey];
  }

  private add(domain: string | undefined, delta: number): void {
    if (domain === undefined) return;
    this.counts.set(domain, (this.counts.get(domain) ?? 0) + delta);
  }

  /** Every member in the domain, `vm` included. */
  count(domain: string): number {
    return this.counts.get(domain) ?? 0;
  }

  /** Members in the domain, not counting `vm` itself. */
  countIn(domain: string, vm: number): number {
    const own = this.members.has(vm) && this.domainOfNode(this.placement.nodeOf(vm)) === domain ? 1 : 0;
    return (this.counts.get(domain) ?? 0) - own;
  }

  /** Domains holding members other than `vm`. */
  domainsWithout(vm: number): string[] {
    const domains: string[] = [];
    for (const [domain, count] of this.counts) {
      if (count - (this.members.has(vm) && this.domainOfNode(this.placement.nodeOf(vm)) === domain ? 1 : 0) > 0)
        domains.push(domain);
    }
    return domains.sort();
  }
}

/** The pass's shared DomainCounts for a group and topology key, built on first use. */
export function domainCounts(
  spec: GroupSpec,
  topologyKey: string,
  { model, placement, state }: { model: ClusterModel; placement: Placement; state: CycleState },
): DomainCounts {
  return state.get(`vm-groups/${groupKey(spec)}@${topologyKey}`, () => {
    const members = new Set<number>();
    for (const index of candidatesFor(spec, model)) {
      const vm = model.vms[index];
      if (vm && groupIncludes(spec, vm)) members.add(index);
    }
    return new DomainCounts(spec, topologyKey, members, placement);
  });
}
