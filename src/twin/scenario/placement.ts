/**
 * Starting placements: for groups with a `placement`, the node each VM's first pod goes to. The
 * choice is random (from the scenario's seeded stream for that group) among the candidates that
 * the VM may run on and that still have room, so a skewed start stays a schedulable one.
 */
import { LABEL } from "../../core/model/kubevirt-labels.ts";
import {
  type Taint,
  anyNodeSelectorTermMatches,
  firstUntoleratedTaint,
  mapSelectorMatches,
} from "../../core/model/selectors.ts";
import type { Rng } from "../../core/numeric/rng.ts";
import { type PlannedGroup, placementCandidates } from "./layout.ts";
import type { ResourceAmounts } from "./node-resources.ts";
import type { VmGroup } from "./vm-group-schema.ts";
import { launcherRequests } from "./vm-objects.ts";

/** What placement needs to know about a node. */
export interface NodeFacts {
  readonly name: string;
  readonly pool: string;
  readonly zone: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly Taint[];
  readonly allocatable: ResourceAmounts;
}

/** Free resources per node, as placements use them up. */
export class CapacityLedger {
  private readonly free = new Map<string, ResourceAmounts>();

  constructor(nodes: readonly NodeFacts[]) {
    for (const node of nodes) this.free.set(node.name, { ...node.allocatable });
  }

  fits(node: string, requests: ResourceAmounts): boolean {
    const free = this.free.get(node);
    if (!free) return false;
    for (const [resource, amount] of Object.entries(requests)) if ((free[resource] ?? 0) < amount) return false;
    return true;
  }

  take(node: string, requests: ResourceAmounts): void {
    const free = this.free.get(node);
    if (!free) return;
    for (const [resource, amount] of Object.entries(requests)) free[resource] = (free[resource] ?? 0) - amount;
  }
}

const NAMELESS_MODELS = new Set(["host-model", "host-passthrough"]);

/** The node selector KubeVirt renders on the launcher pod (kubevirt-api.md §4.2), plus the group's own. */
export function launcherNodeSelector(group: VmGroup): Record<string, string> {
  const selector: Record<string, string> = { [LABEL.schedulable]: "true" };
  if (group.cpuModel !== undefined && !NAMELESS_MODELS.has(group.cpuModel))
    selector[LABEL.cpuModel + group.cpuModel] = "true";
  for (const feature of group.cpuFeatures)
    if (feature.policy === "require" || feature.policy === "force") selector[LABEL.cpuFeature + feature.name] = "true";
  if (group.dedicated) selector[LABEL.cpuManager] = "true";
  return { ...selector, ...group.nodeSelector };
}

/** Selectors, required node affinity and taints: whether the group's pods may run on a node at all. */
function feasibilityOf(group: VmGroup): (node: NodeFacts) => boolean {
  const selector = launcherNodeSelector(group);
  const terms = group.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  const tolerations = group.tolerations ?? [];
  return (node) =>
    mapSelectorMatches(selector, node.labels) &&
    (terms === undefined || anyNodeSelectorTermMatches(terms, node.name, node.labels)) &&
    firstUntoleratedTaint(node.taints, tolerations, ["NoSchedule", "NoExecute"]) === undefined;
}

/** Domains already holding one of the group's VMs, when its anti-affinity shorthand is required. */
class SpreadTracker {
  private readonly used = new Set<string>();
  private readonly topology: "node" | "zone" | undefined;

  constructor(group: VmGroup) {
    this.topology = group.antiAffinity?.required ? group.antiAffinity.topology : undefined;
  }

  private domain(node: NodeFacts): string {
    return this.topology === "zone" ? node.zone : node.name;
  }

  allows(node: NodeFacts): boolean {
    return this.topology === undefined || !this.used.has(this.domain(node));
  }

  record(node: NodeFacts): void {
    if (this.topology !== undefined) this.used.add(this.domain(node));
  }
}

interface GroupPlacer {
  readonly requests: ResourceAmounts;
  readonly ledger: CapacityLedger;
  readonly spread: SpreadTracker;
  readonly rng: Rng;
}

/** A random candidate with room, probing onwards from a random start; undefined when none has. */
function pickFitting(candidates: readonly NodeFacts[], placer: GroupPlacer): NodeFacts | undefined {
  if (candidates.length === 0) return undefined;
  const start = placer.rng.int(0, candidates.length - 1);
  for (let step = 0; step < candidates.length; step += 1) {
    const node = candidates[(start + step) % candidates.length];
    if (node && placer.spread.allows(node) && placer.ledger.fits(node.name, placer.requests)) return node;
  }
  return undefined;
}

/** Which VMs (by position) start hot: exactly the skew's share of them, picked at random. */
function hotPositions(count: number, share: number, rng: Rng): Set<number> {
  const positions = rng.shuffle(Array.from({ length: count }, (_, index) => index));
  return new Set(positions.slice(0, Math.round(share * count)));
}

function hotNodeNames(group: VmGroup, candidates: readonly string[]): Set<string> {
  const skew = group.placement?.skew;
  if (skew === undefined) return new Set();
  return new Set(skew.nodes ?? candidates.slice(0, skew.count));
}

/**
 * The initial node of each VM of the group, by position; undefined where the group has no
 * placement or no candidate had room (the scheduler then decides).
 */
export function placeGroup(
  planned: PlannedGroup,
  nodes: { readonly all: readonly NodeFacts[]; readonly byPool: ReadonlyMap<string, readonly string[]> },
  ledger: CapacityLedger,
  rng: Rng,
): (string | undefined)[] {
  const { group, names } = planned;
  if (group.placement === undefined) return names.map(() => undefined);
  const candidateNames = placementCandidates(
    group.placement,
    nodes.all.map((node) => node.name),
    nodes.byPool,
  );
  const byName = new Map(nodes.all.map((node) => [node.name, node]));
  const mayRunOn = feasibilityOf(group);
  const feasible = candidateNames
    .map((name) => byName.get(name))
    .filter((node): node is NodeFacts => node !== undefined && mayRunOn(node));
  const hotNames = hotNodeNames(group, candidateNames);
  const hot = feasible.filter((node) => hotNames.has(node.name));
  const cool = feasible.filter((node) => !hotNames.has(node.name));
  const hotVms = hotPositions(names.length, group.placement.skew?.share ?? 0, rng);
  const placer: GroupPlacer = { requests: launcherRequests(group), ledger, spread: new SpreadTracker(group), rng };
  return names.map((_, position) => {
    const [first, second] = hotVms.has(position) ? [hot, cool] : [cool, hot];
    const node = pickFitting(first, placer) ?? pickFitting(second, placer);
    if (!node) return undefined;
    ledger.take(node.name, placer.requests);
    placer.spread.record(node);
    return node.name;
  });
}
