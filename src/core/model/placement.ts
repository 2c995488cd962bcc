/**
 * Placement: where each VM runs and what it holds on its node (requests, NUMA cells).
 * It is the mutable half of the model: the planner moves VMs here to try a plan out, and the
 * schedule reserves a target while a migration is in flight (both copies hold resources).
 */
import type { ClusterModel, ResourceList, VmInfo } from "./cluster.ts";
import {
  type NumaAssignment,
  type NumaFree,
  allocateNuma,
  applyNuma,
  cloneNumaFree,
  freeFromLayout,
  needsNuma,
} from "./numa.ts";

export type MoveListener = (vm: number, from: number, to: number) => void;

const NONE: ReadonlySet<number> = new Set();

function numaKey(vm: number, node: number): string {
  return `${vm}@${node}`;
}

export class Placement {
  readonly model: ClusterModel;
  /** The node each VM runs on; it holds its resources there. */
  private readonly vmNode: Int32Array;
  /** Further nodes a VM holds resources on: migration targets. */
  private readonly extraHolds: Map<number, Set<number>>;
  private readonly nodeVms: Set<number>[];
  private readonly requestedByNode: Record<string, number>[];
  private readonly numaByNode: (NumaFree | undefined)[];
  /** NUMA cells held, by `vm@node`, for VMs with dedicated CPUs or hugepages. */
  private readonly numaHeld: Map<string, NumaAssignment>;
  private readonly listeners: MoveListener[] = [];

  private constructor(model: ClusterModel, source?: Placement) {
    this.model = model;
    this.vmNode = source ? source.vmNode.slice() : new Int32Array(model.vms.length).fill(-1);
    this.extraHolds = new Map([...(source?.extraHolds ?? [])].map(([vm, nodes]) => [vm, new Set(nodes)]));
    this.nodeVms = source ? source.nodeVms.map((set) => new Set(set)) : model.nodes.map(() => new Set<number>());
    this.requestedByNode = source
      ? source.requestedByNode.map((requested) => ({ ...requested }))
      : model.nodes.map(() => ({}));
    this.numaByNode = source
      ? source.numaByNode.map((free) => free && cloneNumaFree(free))
      : model.nodes.map((node) => node.numa && freeFromLayout(node.numa));
    this.numaHeld = new Map(source?.numaHeld ?? []);
  }

  /** The placement the snapshot describes, with in-flight migration targets already reserved. */
  static fromModel(model: ClusterModel): Placement {
    const placement = new Placement(model);
    for (const vm of model.vms) {
      placement.take(vm, vm.node);
      placement.vmNode[vm.index] = vm.node;
      placement.nodeVms[vm.node]?.add(vm.index);
    }
    for (const migration of model.migrations) {
      if (!migration.inFlight || migration.vm < 0 || migration.target < 0) continue;
      const vm = model.vms[migration.vm];
      if (vm && migration.target !== vm.node) placement.hold(vm, migration.target);
    }
    return placement;
  }

  clone(): Placement {
    return new Placement(this.model, this);
  }

  subscribe(listener: MoveListener): void {
    this.listeners.push(listener);
  }

  nodeOf(vm: number): number {
    return this.vmNode[vm] ?? -1;
  }

  vmsOn(node: number): ReadonlySet<number> {
    return this.nodeVms[node] ?? NONE;
  }

  requested(node: number): ResourceList {
    return this.requestedByNode[node] ?? {};
  }

  numaFree(node: number): NumaFree | undefined {
    return this.numaByNode[node];
  }

  /** The first resource the VM's requests would overflow on the node, or undefined when all fit. */
  overflow(vm: VmInfo, node: number): { resource: string; needed: number; free: number } | undefined {
    const allocatable = this.model.nodes[node]?.allocatable ?? {};
    const requested = this.requested(node);
    for (const resource in vm.requests) {
      const amount = vm.requests[resource] ?? 0;
      if (amount <= 0) continue;
      const free = (allocatable[resource] ?? 0) - (requested[resource] ?? 0);
      if (amount > free) return { resource, needed: amount, free };
    }
    return undefined;
  }

  /** Where the VM's dedicated CPUs and hugepages would go on the node, or why they cannot. */
  numaFit(vm: VmInfo, node: number): NumaAssignment | string {
    if (!needsNuma(vm.numaDemand)) return [];
    const layout = this.model.nodes[node]?.numa;
    const free = this.numaByNode[node];
    if (!layout || !free) return "the node reports no NUMA topology for dedicated CPUs or hugepages";
    return allocateNuma(layout, free, vm.numaDemand);
  }

  holds(vm: number, node: number): boolean {
    return this.vmNode[vm] === node || (this.extraHolds.get(vm)?.has(node) ?? false);
  }

  /** Takes the VM's resources on a further node: a migration target, while the VM still runs on its source. */
  hold(vm: VmInfo, node: number): void {
    if (this.holds(vm.index, node)) return;
    this.take(vm, node);
    let extra = this.extraHolds.get(vm.index);
    if (!extra) {
      extra = new Set();
      this.extraHolds.set(vm.index, extra);
    }
    extra.add(node);
  }

  private take(vm: VmInfo, node: number): void {
    const requested = this.requestedByNode[node];
    if (!requested) return;
    for (const resource in vm.requests) requested[resource] = (requested[resource] ?? 0) + (vm.requests[resource] ?? 0);
    const free = this.numaByNode[node];
    const layout = this.model.nodes[node]?.numa;
    if (!free || !layout || !needsNuma(vm.numaDemand)) return;
    const assignment = allocateNuma(layout, free, vm.numaDemand);
    // A snapshot may already be overcommitted per cell; account what fits rather than failing the model.
    const taken = typeof assignment === "string" ? [] : assignment;
    applyNuma(free, vm.numaDemand, taken, -1);
    this.numaHeld.set(numaKey(vm.index, node), taken);
  }

  private giveBack(vm: VmInfo, node: number): void {
    const requested = this.requestedByNode[node];
    if (!requested) return;
    for (const resource in vm.requests) requested[resource] = (requested[resource] ?? 0) - (vm.requests[resource] ?? 0);
    const key = numaKey(vm.index, node);
    const taken = this.numaHeld.get(key);
    const free = this.numaByNode[node];
    if (taken && free) applyNuma(free, vm.numaDemand, taken, 1);
    this.numaHeld.delete(key);
  }

  /** Completes a move: the VM now runs on `to` and no longer holds anything on its old node. */
  move(vm: VmInfo, to: number): void {
    const from = this.nodeOf(vm.index);
    if (from === to) return;
    const extra = this.extraHolds.get(vm.index);
    if (extra?.delete(to)) {
      if (extra.size === 0) this.extraHolds.delete(vm.index);
    } else {
      this.take(vm, to);
    }
    this.giveBack(vm, from);
    this.vmNode[vm.index] = to;
    this.nodeVms[from]?.delete(vm.index);
    this.nodeVms[to]?.add(vm.index);
    for (const listener of this.listeners) listener(vm.index, from, to);
  }
}
