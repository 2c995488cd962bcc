/**
 * Initial placement: every VM lands on a node that really fits it (requests against allocatable
 * for every resource, nodeSelector and KubeVirt's own selectors, taints, required anti-affinity,
 * dedicated CPUs and hugepages per NUMA cell). It is a randomized first fit, not a scheduler:
 * each VM draws a few weighted candidates among the nodes its selectors allow, then probes a
 * bounded window, so the cost per VM does not grow with the fleet. A VM that fits nowhere is dropped.
 */
import { numaDemandOf } from "../core/model/cluster.ts";
import { LABEL } from "../core/model/kubevirt-labels.ts";
import {
  type NumaDemand,
  type NumaFree,
  type NumaLayout,
  allocateNuma,
  applyNuma,
  countCpuset,
  freeFromLayout,
  needsNuma,
} from "../core/model/numa.ts";
import type { SnapshotNode, SnapshotVm } from "../core/model/snapshot.ts";
import type { Rng } from "../core/numeric/rng.ts";
import { CandidateCache, drawCandidate } from "./candidate-nodes.ts";
import type { SpreadGroup, VmDraft, VmKind } from "./vm-draft.ts";

const RANDOM_TRIES = 6;
const PROBE_LIMIT = 64;
const NODE_PODS = 1;

interface NumaState {
  readonly layout: NumaLayout;
  readonly free: NumaFree;
}

interface PlacementState {
  readonly rng: Rng;
  readonly nodes: readonly SnapshotNode[];
  readonly free: Record<string, number>[];
  readonly numa: (NumaState | undefined)[];
  /** Topology values each required anti-affinity group already occupies. */
  readonly occupied: Map<string, Set<string>>;
  readonly candidates: CandidateCache;
}

/**
 * Places the drafts, hardest first, and returns those that found a node (their spec's `node`,
 * `kubevirt.io/nodeName` label and any hostname pin filled in). `weights` skews the draws per node.
 */
export function placeVms(
  rng: Rng,
  nodes: readonly SnapshotNode[],
  drafts: readonly VmDraft[],
  weights: Float64Array,
): VmDraft[] {
  const state: PlacementState = {
    rng,
    nodes,
    free: nodes.map((node) => ({ ...(node.allocatable ?? node.capacity) })),
    numa: nodes.map(numaStateOf),
    occupied: new Map(),
    candidates: new CandidateCache(nodes, weights),
  };
  const placed: VmDraft[] = [];
  for (const draft of hardestFirst(drafts)) {
    const node = findNode(state, draft);
    if (node === undefined) continue;
    take(state, draft, node);
    recordPlacement(draft, nodes[node] as SnapshotNode);
    placed.push(draft);
  }
  return placed;
}

const KIND_RANK: Readonly<Record<VmKind, number>> = {
  gpu: 0,
  dedicated: 1,
  "db-replica": 2,
  "zone-replica": 2,
  pinned: 3,
  "named-model": 4,
  "host-passthrough": 5,
  "rwo-disk": 5,
  "bridge-interface": 5,
  "soft-spread": 5,
  standard: 5,
};

/**
 * Scarce resources and tight rules first, then big before small, as a bin packer would.
 * Dedicated VMs go in namespace/name order instead: the cluster model replays NUMA cells in that
 * order, and the same order with the same cell choice gives the same cells, so the replay fits too.
 */
function hardestFirst(drafts: readonly VmDraft[]): VmDraft[] {
  const memory = (draft: VmDraft): number => draft.spec.requests.memory ?? 0;
  const key = (draft: VmDraft): string => `${draft.spec.namespace}/${draft.spec.name}`;
  const tieBreak = (a: VmDraft, b: VmDraft): number => {
    if (a.kind !== "dedicated" || b.kind !== "dedicated") return memory(b) - memory(a);
    return key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
  };
  return [...drafts].sort((a, b) => KIND_RANK[a.kind] - KIND_RANK[b.kind] || tieBreak(a, b));
}

function recordPlacement(draft: VmDraft, node: SnapshotNode): void {
  const vm = draft.spec;
  vm.node = node.name;
  vm.labels["kubevirt.io/nodeName"] = node.name;
  if (draft.pinToHost) vm.nodeSelector = { [LABEL.hostname]: node.labels[LABEL.hostname] ?? node.name };
}

function findNode(state: PlacementState, draft: VmDraft): number | undefined {
  const list = state.candidates.listFor(draft.spec);
  const count = list.nodes.length;
  if (count === 0) return undefined;
  const demand = numaDemandOf(draft.spec, draft.spec.cpu.vcpus ?? 1);
  for (let attempt = 0; attempt < RANDOM_TRIES; attempt += 1) {
    const node = drawCandidate(state.rng, list);
    if (fits(state, draft, node, demand)) return node;
  }
  const start = state.rng.int(0, count - 1);
  for (let step = 0; step < Math.min(count, PROBE_LIMIT); step += 1) {
    const node = list.nodes[(start + step) % count] ?? -1;
    if (fits(state, draft, node, demand)) return node;
  }
  return undefined;
}

function fits(state: PlacementState, draft: VmDraft, node: number, demand: NumaDemand): boolean {
  return (
    resourcesFit(state.free[node], draft.spec.requests) &&
    spreadAllows(state, draft, node) &&
    numaAllows(state.numa[node], demand)
  );
}

function resourcesFit(free: Readonly<Record<string, number>> | undefined, requests: SnapshotVm["requests"]): boolean {
  if (!free || (free.pods ?? 0) < NODE_PODS) return false;
  for (const resource in requests) {
    if ((requests[resource] ?? 0) > (free[resource] ?? 0)) return false;
  }
  return true;
}

function spreadAllows(state: PlacementState, draft: VmDraft, node: number): boolean {
  if (!draft.spread) return true;
  const value = state.nodes[node]?.labels[draft.spread.topologyKey];
  return value !== undefined && !(state.occupied.get(draft.spread.group)?.has(value) ?? false);
}

function numaAllows(numa: NumaState | undefined, demand: NumaDemand): boolean {
  if (!needsNuma(demand)) return true;
  return numa !== undefined && typeof allocateNuma(numa.layout, numa.free, demand) !== "string";
}

function take(state: PlacementState, draft: VmDraft, node: number): void {
  takeResources(state.free[node] as Record<string, number>, draft.spec.requests);
  if (draft.spread) occupy(state, draft.spread, node);
  takeNumaCells(state.numa[node], numaDemandOf(draft.spec, draft.spec.cpu.vcpus ?? 1));
}

function takeResources(free: Record<string, number>, requests: SnapshotVm["requests"]): void {
  free.pods = (free.pods ?? 0) - NODE_PODS;
  for (const [resource, amount] of Object.entries(requests)) free[resource] = (free[resource] ?? 0) - amount;
}

function occupy(state: PlacementState, spread: SpreadGroup, node: number): void {
  const value = state.nodes[node]?.labels[spread.topologyKey] ?? "";
  const occupied = state.occupied.get(spread.group) ?? new Set<string>();
  state.occupied.set(spread.group, occupied.add(value));
}

function takeNumaCells(numa: NumaState | undefined, demand: NumaDemand): void {
  if (!numa || !needsNuma(demand)) return;
  const cells = allocateNuma(numa.layout, numa.free, demand);
  if (typeof cells !== "string") applyNuma(numa.free, demand, cells, -1);
}

function numaStateOf(node: SnapshotNode): NumaState | undefined {
  if (!node.numa) return undefined;
  const layout: NumaLayout = {
    policy: node.numa.topologyPolicy,
    cells: node.numa.cells.map((cell) => ({ id: cell.id, cpus: countCpuset(cell.cpus), hugepages: cell.hugepages })),
  };
  return { layout, free: freeFromLayout(layout) };
}
