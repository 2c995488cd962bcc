// Independent checks on a generated snapshot: they use the core's selector semantics, never the
// generator's own bookkeeping, so a bug in placement cannot hide behind the same bug here.
import { LABEL } from "../../src/core/model/kubevirt-labels.ts";
import { countCpuset } from "../../src/core/model/numa.ts";
import { parseQuantity } from "../../src/core/model/quantity.ts";
import { firstUntoleratedTaint, labelSelectorMatches, mapSelectorMatches } from "../../src/core/model/selectors.ts";
import type { ClusterSnapshot, SnapshotNode, SnapshotVm } from "../../src/core/model/snapshot.ts";
import { generateSnapshot, type GenerateOptions } from "../../src/synth/index.ts";

const cache = new Map<string, ClusterSnapshot>();

/** Generating is the slow part of these tests; each option set is built once per file. */
export function snapshotFor(options: GenerateOptions): ClusterSnapshot {
  const key = JSON.stringify(options);
  let snapshot = cache.get(key);
  if (!snapshot) {
    snapshot = generateSnapshot(options);
    cache.set(key, snapshot);
  }
  return snapshot;
}

export function nodesByName(snapshot: ClusterSnapshot): Map<string, SnapshotNode> {
  return new Map(snapshot.nodes.map((node) => [node.name, node]));
}

export function vmsOn(snapshot: ClusterSnapshot): Map<string, SnapshotVm[]> {
  const byNode = new Map<string, SnapshotVm[]>(snapshot.nodes.map((node) => [node.name, []]));
  for (const vm of snapshot.vms) byNode.get(vm.node)?.push(vm);
  return byNode;
}

/** Every resource the node's VMs request, with one pod each, as the scheduler counts them. */
export function requestedOn(vms: readonly SnapshotVm[]): Record<string, number> {
  const total: Record<string, number> = { pods: vms.length };
  for (const vm of vms) {
    for (const [resource, amount] of Object.entries(vm.requests)) total[resource] = (total[resource] ?? 0) + amount;
  }
  return total;
}

export function overcommitted(node: SnapshotNode, vms: readonly SnapshotVm[]): string[] {
  const allocatable = node.allocatable ?? node.capacity;
  return Object.entries(requestedOn(vms))
    .filter(([resource, amount]) => amount > (allocatable[resource] ?? 0))
    .map(([resource, amount]) => `${node.name}: ${resource} ${amount} > ${allocatable[resource] ?? 0}`);
}

export function cpuUtilization(node: SnapshotNode): number {
  return (node.usage?.cpu.mean ?? 0) / ((node.allocatable ?? node.capacity).cpu ?? 1);
}

function isNamedModel(model: string): boolean {
  return model !== "" && model !== "host-model" && model !== "host-passthrough";
}

/** Why the VM may not run on its node, or an empty list. */
export function placementViolations(vm: SnapshotVm, node: SnapshotNode): string[] {
  const problems: string[] = [];
  if (!mapSelectorMatches(vm.nodeSelector, node.labels)) problems.push("nodeSelector");
  if (firstUntoleratedTaint(node.taints, vm.tolerations, ["NoSchedule", "NoExecute"])) problems.push("taint");
  if (isNamedModel(vm.cpu.model) && node.labels[LABEL.cpuModel + vm.cpu.model] !== "true") problems.push("cpu model");
  if (vm.machineType && node.labels[LABEL.machineType + vm.machineType] !== "true") problems.push("machine type");
  if (vm.cpu.dedicated && node.labels[LABEL.cpuManager] !== "true") problems.push("cpu manager");
  if (!mapSelectorMatches(vm.migrationSelectors, node.labels)) problems.push("host-model selectors");
  return problems.map((problem) => `${vm.namespace}/${vm.name} on ${node.name}: ${problem}`);
}

type AntiAffinityTerm = NonNullable<
  NonNullable<NonNullable<SnapshotVm["affinity"]>["podAntiAffinity"]>["requiredDuringSchedulingIgnoredDuringExecution"]
>[number];

/** Pairs of VMs that share a topology value although one's required anti-affinity forbids it. */
export function antiAffinityViolations(snapshot: ClusterSnapshot): string[] {
  const nodes = nodesByName(snapshot);
  const byNamespace = Map.groupBy(snapshot.vms, (vm) => vm.namespace);
  const topologyOf = (vm: SnapshotVm, key: string): string | undefined => nodes.get(vm.node)?.labels[key];
  const conflicts = (vm: SnapshotVm, term: AntiAffinityTerm): string[] => {
    const own = topologyOf(vm, term.topologyKey);
    return (byNamespace.get(vm.namespace) ?? [])
      .filter((other) => other !== vm && labelSelectorMatches(term.labelSelector, other.labels))
      .filter((other) => topologyOf(other, term.topologyKey) === own)
      .map((other) => `${vm.name} and ${other.name} share ${term.topologyKey}=${own}`);
  };
  return snapshot.vms.flatMap((vm) =>
    (vm.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).flatMap((term) =>
      conflicts(vm, term),
    ),
  );
}

interface CellDemand {
  readonly cpus: number;
  readonly pages: number;
}

function cellDemand(vm: SnapshotVm): CellDemand {
  const cpus = vm.cpu.dedicated ? (vm.cpu.vcpus ?? 1) + (vm.cpu.isolateEmulatorThread ? 1 : 0) : 0;
  const pageBytes = vm.hugepages ? (parseQuantity(vm.hugepages.pageSize) ?? 1) : 0;
  return { cpus, pages: pageBytes > 0 ? Math.ceil((vm.guestMemory ?? 0) / pageBytes) : 0 };
}

/**
 * Whether the node's dedicated VMs can each take all their CPUs and pages from a single cell
 * (single-numa-node), by exhaustive search over the reachable per-cell totals.
 */
export function fitsSingleNumaCells(node: SnapshotNode, vms: readonly SnapshotVm[]): boolean {
  const cells = (node.numa?.cells ?? []).map((cell) => ({
    cpus: countCpuset(cell.cpus),
    pages: cell.hugepages["1Gi"] ?? 0,
  }));
  const demands = vms.map(cellDemand).filter((demand) => demand.cpus > 0 || demand.pages > 0);
  let states = new Set([JSON.stringify(cells.map(() => [0, 0]))]);
  for (const demand of demands) {
    const next = new Set<string>();
    for (const state of states) {
      const used = JSON.parse(state) as [number, number][];
      cells.forEach((cell, index) => {
        const [cpus, pages] = used[index] ?? [0, 0];
        if (cpus + demand.cpus > cell.cpus || pages + demand.pages > cell.pages) return;
        const after = used.map((pair, i) => (i === index ? [cpus + demand.cpus, pages + demand.pages] : pair));
        next.add(JSON.stringify(after));
      });
    }
    states = next;
    if (states.size === 0) return false;
  }
  return true;
}
