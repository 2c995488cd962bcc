/**
 * A balance domain: the nodes one BalancePolicy balances, with their utilization kept current as
 * VMs move. It measures imbalance (the DRS way: the standard deviation of node utilization,
 * weighted over CPU and memory) and prices candidate moves in balance points (see thresholds.ts).
 */
import type { ClusterModel, VmInfo } from "../model/cluster.ts";
import { LOAD_RESOURCES, type LoadResource, type LoadTracker, vmLoad } from "../model/load.ts";
import type { Placement } from "../model/placement.ts";

/** Overload above a ceiling counts this many times more than plain imbalance. */
const HOT_SPOT_FACTOR = 10;
/** Balance points per unit of squared utilization: utilization in percentage points, squared. */
const POINTS = 10_000;

export interface ResourceStats {
  readonly mean: number;
  readonly stddev: number;
  readonly min: number;
  readonly max: number;
}

export interface MoveGain {
  /** Balance points the move brings, before its cost: squared deviation removed plus hot-spot relief. */
  readonly points: number;
  readonly byResource: Readonly<Record<LoadResource, number>>;
  readonly hotSpotPoints: number;
}

interface Shift {
  sum: number;
  sumSq: number;
  hotDelta: number;
}

export interface DomainOptions {
  readonly weights: Readonly<Record<LoadResource, number>>;
  readonly ceilings: Readonly<Record<LoadResource, number>>;
}

export class BalanceDomain {
  readonly nodes: readonly number[];
  readonly options: DomainOptions;
  private readonly member: Uint8Array;
  private readonly load: LoadTracker;
  private readonly model: ClusterModel;
  private readonly weights: Readonly<Record<LoadResource, number>>;
  /** Utilization per node and resource: index node * 2 + (cpu 0, memory 1). */
  private readonly util: Float64Array;
  private readonly sum = [0, 0];
  /** Allocatable cpu and memory per node, and each VM's load, flat for the hot loop: index * 2 + resource. */
  private readonly allocatable: Float64Array;
  private readonly vmLoads: Float64Array;
  /** Reused by `shifted` so scoring a candidate allocates nothing. */
  private readonly scratch: Shift = { sum: 0, sumSq: 0, hotDelta: 0 };
  private readonly sumSq = [0, 0];

  constructor(nodes: readonly number[], placement: Placement, load: LoadTracker, options: DomainOptions) {
    this.nodes = nodes;
    this.options = options;
    this.load = load;
    this.model = placement.model;
    const total = options.weights.cpu + options.weights.memory;
    this.weights = { cpu: options.weights.cpu / total, memory: options.weights.memory / total };
    this.member = new Uint8Array(this.model.nodes.length);
    this.util = new Float64Array(this.model.nodes.length * 2);
    this.allocatable = new Float64Array(this.model.nodes.length * 2);
    for (const node of this.model.nodes) {
      this.allocatable[node.index * 2] = node.allocatable.cpu ?? 0;
      this.allocatable[node.index * 2 + 1] = node.allocatable.memory ?? 0;
    }
    this.vmLoads = new Float64Array(this.model.vms.length * 2);
    for (const vm of this.model.vms) {
      this.vmLoads[vm.index * 2] = vmLoad(vm, "cpu", load.statistic);
      this.vmLoads[vm.index * 2 + 1] = vmLoad(vm, "memory", load.statistic);
    }
    for (const node of nodes) {
      this.member[node] = 1;
      this.refresh(node, 1);
    }
    // Subscribed after the load tracker, so it reads the tracker's updated usage.
    placement.subscribe((_vm, from, to) => {
      this.refresh(from, -1);
      this.refresh(from, 1);
      this.refresh(to, -1);
      this.refresh(to, 1);
    });
  }

  private refresh(node: number, sign: 1 | -1): void {
    if (this.member[node] !== 1) return;
    LOAD_RESOURCES.forEach((resource, r) => {
      if (sign === -1) {
        const old = this.util[node * 2 + r] ?? 0;
        this.sum[r] = (this.sum[r] ?? 0) - old;
        this.sumSq[r] = (this.sumSq[r] ?? 0) - old * old;
        return;
      }
      const value = this.load.utilization(node, resource);
      this.util[node * 2 + r] = value;
      this.sum[r] = (this.sum[r] ?? 0) + value;
      this.sumSq[r] = (this.sumSq[r] ?? 0) + value * value;
    });
  }

  contains(node: number): boolean {
    return this.member[node] === 1;
  }

  utilization(node: number, resource: LoadResource): number {
    return this.util[node * 2 + (resource === "cpu" ? 0 : 1)] ?? 0;
  }

  mean(resource: LoadResource): number {
    return this.nodes.length === 0 ? 0 : (this.sum[resource === "cpu" ? 0 : 1] ?? 0) / this.nodes.length;
  }

  /** Utilization minus the domain mean. */
  deviation(node: number, resource: LoadResource): number {
    return this.utilization(node, resource) - this.mean(resource);
  }

  private variance(sum: number, sumSq: number): number {
    const n = this.nodes.length;
    if (n === 0) return 0;
    const mean = sum / n;
    return Math.max(0, sumSq / n - mean * mean);
  }

  /** Weighted standard deviation of utilization across the domain, 0..1. */
  imbalance(): number {
    let total = 0;
    LOAD_RESOURCES.forEach((resource, r) => {
      total += this.weights[resource] * this.variance(this.sum[r] ?? 0, this.sumSq[r] ?? 0);
    });
    return Math.sqrt(total);
  }

  stats(resource: LoadResource): ResourceStats {
    const r = resource === "cpu" ? 0 : 1;
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (const node of this.nodes) {
      const value = this.util[node * 2 + r] ?? 0;
      min = Math.min(min, value);
      max = Math.max(max, value);
    }
    return {
      mean: this.mean(resource),
      stddev: Math.sqrt(this.variance(this.sum[r] ?? 0, this.sumSq[r] ?? 0)),
      min: this.nodes.length ? min : 0,
      max: this.nodes.length ? max : 0,
    };
  }

  /** Nodes above a ceiling, hottest first. */
  hotNodes(): number[] {
    return this.nodes
      .filter((node) => this.overload(node) > 0)
      .sort((a, b) => this.overload(b) - this.overload(a) || a - b);
  }

  /** Weighted utilization above the ceilings, 0 when under. */
  overload(node: number): number {
    let total = 0;
    for (const resource of LOAD_RESOURCES)
      total += this.weights[resource] * Math.max(0, this.utilization(node, resource) - this.options.ceilings[resource]);
    return total;
  }

  /** Deviation from the mean, weighted over CPU and memory: negative below the mean. */
  weightedDeviation(node: number): number {
    return this.weights.cpu * this.deviation(node, "cpu") + this.weights.memory * this.deviation(node, "memory");
  }

  /** How far a node sits above the mean and its ceilings: what it should shed. */
  pressure(node: number): number {
    let total = 0;
    for (const resource of LOAD_RESOURCES)
      total += this.weights[resource] * Math.max(0, this.deviation(node, resource));
    return total + HOT_SPOT_FACTOR * this.overload(node);
  }

  /** The share of a node's capacity the VM's load is, per resource. */
  share(vm: VmInfo, node: number, resource: LoadResource): number {
    return this.shareOf(vm.index, node, resource === "cpu" ? 0 : 1);
  }

  private shareOf(vm: number, node: number, r: number): number {
    const allocatable = this.allocatable[node * 2 + r] ?? 0;
    return allocatable > 0 ? (this.vmLoads[vm * 2 + r] ?? 0) / allocatable : 0;
  }

  private hot(utilization: number, resource: LoadResource): number {
    return Math.max(0, utilization - this.options.ceilings[resource]);
  }

  /** Utilization of one node for one resource after the VM leaves (sign -1) or arrives (+1). */
  private after(vm: VmInfo, node: number, r: number, sign: 1 | -1): number {
    return (this.util[node * 2 + r] ?? 0) + sign * this.shareOf(vm.index, node, r);
  }

  /**
   * The resource's sum and sum of squares, and the drop in squared overload, if the VM moved from
   * one node to the other (either may be outside the domain, or -1); nothing is changed.
   * Allocation-free: the planner calls it tens of thousands of times a step.
   */
  private shifted(vm: VmInfo, from: number, to: number, r: number): Shift {
    const resource = r === 0 ? "cpu" : "memory";
    const shift = this.scratch;
    shift.sum = this.sum[r] ?? 0;
    shift.sumSq = this.sumSq[r] ?? 0;
    shift.hotDelta = 0;
    if (this.contains(from)) this.account(shift, this.util[from * 2 + r] ?? 0, this.after(vm, from, r, -1), resource);
    if (this.contains(to)) this.account(shift, this.util[to * 2 + r] ?? 0, this.after(vm, to, r, 1), resource);
    return shift;
  }

  private account(shift: Shift, before: number, after: number, resource: LoadResource): void {
    shift.sum += after - before;
    shift.sumSq += after * after - before * before;
    shift.hotDelta += this.hot(before, resource) ** 2 - this.hot(after, resource) ** 2;
  }

  /** The gain in balance points alone, for filtering candidates without building a MoveGain. */
  gainPoints(vm: VmInfo, from: number, to: number): number {
    const n = Math.max(1, this.nodes.length);
    let points = 0;
    for (let r = 0; r < 2; r += 1) {
      const weight = this.weights[r === 0 ? "cpu" : "memory"];
      const { sum, sumSq, hotDelta } = this.shifted(vm, from, to, r);
      const ssdBefore = (this.sumSq[r] ?? 0) - (this.sum[r] ?? 0) ** 2 / n;
      points += POINTS * weight * (ssdBefore - (sumSq - sum ** 2 / n) + HOT_SPOT_FACTOR * hotDelta);
    }
    return points;
  }

  /**
   * What moving the VM from one node to another would gain, in balance points; nothing is changed.
   * The gain is the drop in the sum of squared deviations from the mean (in percentage points
   * squared, weighted per resource), exact including the shift of the mean, plus hot-spot relief.
   */
  gain(vm: VmInfo, from: number, to: number): MoveGain {
    const byResource = { cpu: 0, memory: 0 };
    let hotSpotPoints = 0;
    const n = Math.max(1, this.nodes.length);
    LOAD_RESOURCES.forEach((resource, r) => {
      const { sum, sumSq, hotDelta } = this.shifted(vm, from, to, r);
      const ssdBefore = (this.sumSq[r] ?? 0) - (this.sum[r] ?? 0) ** 2 / n;
      const ssdAfter = sumSq - sum ** 2 / n;
      byResource[resource] = POINTS * this.weights[resource] * (ssdBefore - ssdAfter);
      hotSpotPoints += POINTS * HOT_SPOT_FACTOR * this.weights[resource] * hotDelta;
    });
    return { points: byResource.cpu + byResource.memory + hotSpotPoints, byResource, hotSpotPoints };
  }

  /** The imbalance after a move, computed without making it. */
  imbalanceAfter(vm: VmInfo, from: number, to: number): number {
    let total = 0;
    LOAD_RESOURCES.forEach((resource, r) => {
      const { sum, sumSq } = this.shifted(vm, from, to, r);
      total += this.weights[resource] * this.variance(sum, sumSq);
    });
    return Math.sqrt(total);
  }
}
