/**
 * Which nodes a class of VMs may use at all, whatever their load: the launcher pod's node
 * selectors, the taints it tolerates and the resource kinds it needs. VMs alike in those share
 * one list, built once with one pass over the fleet, and draw from it by node weight.
 */
import { LABEL } from "../core/model/kubevirt-labels.ts";
import { firstUntoleratedTaint, mapSelectorMatches } from "../core/model/selectors.ts";
import type { SnapshotNode, SnapshotVm } from "../core/model/snapshot.ts";
import type { Rng } from "../core/numeric/rng.ts";

const SCHEDULING_EFFECTS = ["NoSchedule", "NoExecute"] as const;

/** Nodes a class of VMs may use, with cumulative weights for weighted draws. */
export interface CandidateList {
  readonly nodes: Int32Array;
  readonly cumulative: Float64Array;
}

export class CandidateCache {
  private readonly lists = new Map<string, CandidateList>();
  private readonly nodes: readonly SnapshotNode[];
  /** How likely each node is to be drawn, by index. */
  private readonly weights: Float64Array;

  constructor(nodes: readonly SnapshotNode[], weights: Float64Array) {
    this.nodes = nodes;
    this.weights = weights;
  }

  listFor(vm: SnapshotVm): CandidateList {
    const key = candidateKey(vm);
    let list = this.lists.get(key);
    if (!list) {
      list = this.build(vm, launcherSelector(vm));
      this.lists.set(key, list);
    }
    return list;
  }

  private build(vm: SnapshotVm, selector: Record<string, string>): CandidateList {
    const allowed: number[] = [];
    this.nodes.forEach((node, index) => {
      const offered = node.allocatable ?? node.capacity;
      const offersAll = Object.keys(vm.requests).every((resource) => (offered[resource] ?? 0) > 0);
      const untolerated = firstUntoleratedTaint(node.taints, vm.tolerations, SCHEDULING_EFFECTS);
      if (offersAll && !untolerated && mapSelectorMatches(selector, node.labels)) allowed.push(index);
    });
    const cumulative = new Float64Array(allowed.length);
    let total = 0;
    allowed.forEach((node, position) => {
      total += this.weights[node] ?? 0;
      cumulative[position] = total;
    });
    return { nodes: Int32Array.from(allowed), cumulative };
  }
}

/** A node index drawn with probability proportional to its weight (binary search on the running sum). */
export function drawCandidate(rng: Rng, list: CandidateList): number {
  const { cumulative, nodes } = list;
  const point = rng.next() * (cumulative[cumulative.length - 1] ?? 0);
  let low = 0;
  let high = cumulative.length - 1;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((cumulative[middle] ?? 0) > point) high = middle;
    else low = middle + 1;
  }
  return nodes[low] ?? -1;
}

/**
 * The node labels a VM's launcher pod must match: its own nodeSelector plus what KubeVirt adds
 * (schedulable, a named CPU model, the machine type, the CPU manager for dedicated CPUs).
 */
export function launcherSelector(vm: SnapshotVm): Record<string, string> {
  const selector: Record<string, string> = { ...vm.nodeSelector, [LABEL.schedulable]: "true" };
  const model = vm.cpu.model;
  if (model !== "" && model !== "host-model" && model !== "host-passthrough") selector[LABEL.cpuModel + model] = "true";
  if (vm.machineType) selector[LABEL.machineType + vm.machineType] = "true";
  if (vm.cpu.dedicated) selector[LABEL.cpuManager] = "true";
  return selector;
}

/** Everything the candidate list depends on; cheap, because most VMs have no selector or toleration. */
function candidateKey(vm: SnapshotVm): string {
  let key = `${vm.cpu.model}|${vm.machineType ?? ""}|${vm.cpu.dedicated ? "dedicated" : ""}|`;
  for (const name in vm.nodeSelector) key += `${name}=${vm.nodeSelector[name] ?? ""},`;
  if (vm.tolerations.length > 0) key += JSON.stringify(vm.tolerations);
  key += "|";
  for (const resource in vm.requests) key += `${resource},`;
  return key;
}
