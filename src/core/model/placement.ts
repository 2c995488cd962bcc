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

export class Placement {
  readonly model: ClusterModel;
  private readonly vmNode: Int32Array;
  private readonly nodeVms: Set<number>[];
  private readonly requestedByNode: Record<string, number>[];
  private readonly numaByNode: (NumaFree | undefined)[];
  /** The nodes each VM holds resources on (two during a migration), with the NUMA cells it holds there. */
  private readonly holdings: Map<number, Map<number, NumaAssignment>>;
  private readonly listeners: MoveListener[] = [];

  private constructor(model: ClusterModel, source?: Placement) {
    this.model = model;
    if (source) {
      this.vmNode = source.vmNode.slice();
      this.nodeVms = source.nodeVms.map((set) => new Set(set));
      this.requestedByNode = source.requestedByNode.map((requested) => ({ ...requested }));
      this.numaByNode = source.numaByNode.map((free) => free && cloneNumaFree(free));
      this.holdings = new Map([...source.holdings].map(([vm, held]) => [vm, new Map(held)]));
      return;
    }
    this.vmNode = new Int32Array(model.vms.length);
    this.nodeVms = model.nodes.map(() => new Set<number>());
    this.requestedByNode = model.nodes.map(() => ({}));
    this.numaByNode = model.nodes.map((node) => node.numa && freeFromLayout(node.numa));
    this.holdings = new Map();
  }

  /** The placement the snapshot describes, with in-flight migration targets already reserved. */
  static fromModel(model: ClusterModel): Placement {
    const placement = new Placement(model);
    for (const vm of model.vms) {
      placement.vmNode[vm.index] = vm.node;
      placement.nodeVms[vm.node]?.add(vm.index);
      placement.hold(vm, vm.node);
    }
    for (const migration of model.migrations) {
      if (migration.inFlight && migration.vm >= 0 && migration.target >= 0) {
        const vm = model.vms[migration.vm];
        if (vm && migration.target !== vm.node) placement.hold(vm, migration.target);
      }
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
    return this.nodeVms[node] ?? new Set();
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
    for (const [resource, amount] of Object.entries(vm.requests)) {
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

  /** Takes the VM's resources on a node (its current one, or a migration target). */
  hold(vm: VmInfo, node: number): void {
    const requested = this.requestedByNode[node];
    if (!requested) return;
    for (const [resource, amount] of Object.entries(vm.requests))
      requested[resource] = (requested[resource] ?? 0) + amount;
    let held = this.holdings.get(vm.index);
    if (!held) {
      held = new Map();
      this.holdings.set(vm.index, held);
    }
    held.set(node, this.takeNuma(vm, node));
  }

  private takeNuma(vm: VmInfo, node: number): NumaAssignment {
    const free = this.numaByNode[node];
    const layout = this.model.nodes[node]?.numa;
    if (!free || !layout || !needsNuma(vm.numaDemand)) return [];
    const assignment = allocateNuma(layout, free, vm.numaDemand);
    // A snapshot may already be overcommitted per cell; account what fits rather than failing the model.
    const taken = typeof assignment === "string" ? [] : assignment;
    applyNuma(free, vm.numaDemand, taken, -1);
    return taken;
  }

  /** Gives back what `hold` took on the node. */
  release(vm: VmInfo, node: number): void {
    const held = this.holdings.get(vm.index);
    const taken = held?.get(node);
    const requested = this.requestedByNode[node];
    if (!held || !taken || !requested) return;
    for (const [resource, amount] of Object.entries(vm.requests))
      requested[resource] = (requested[resource] ?? 0) - amount;
    const free = this.numaByNode[node];
    if (free) applyNuma(free, vm.numaDemand, taken, 1);
    held.delete(node);
  }

  holds(vm: number, node: number): boolean {
    return this.holdings.get(vm)?.has(node) ?? false;
  }

  /** Completes a move: the VM now runs on `to` and no longer holds anything on its old node. */
  move(vm: VmInfo, to: number): void {
    const from = this.nodeOf(vm.index);
    if (from === to) return;
    if (!this.holds(vm.index, to)) this.hold(vm, to);
    this.release(vm, from);
    this.vmNode[vm.index] = to;
    this.nodeVms[from]?.delete(vm.index);
    this.nodeVms[to]?.add(vm.index);
    for (const listener of this.listeners) listener(vm.index, from, to);
  }
}
