/**
 * The placement framework, after kube-scheduler's: filter plugins answer "fits" or "does not fit,
 * because …"; score plugins rate a fitting node 0–100; VM checks decide whether a VM may move at all.
 * Rejections are data: the reason reaches `kubedrs explain`, Events and logs unchanged.
 */
import type { ClusterModel, NodeInfo, VmInfo } from "../model/cluster.ts";
import type { LoadTracker } from "../model/load.ts";
import type { Placement } from "../model/placement.ts";
import type { PolicySet } from "../policy/policy-set.ts";
import type { BalancePolicySpec } from "../policy/kinds/balance-policy.ts";

/** Why a placement is being decided: rules differ slightly between them. */
export type Purpose = "balance" | "evacuate" | "restart";

export interface Rejection {
  readonly plugin: string;
  readonly reason: string;
}

/** Recent moves per VM, for the anti-thrash rules. */
export interface MoveHistory {
  /** Each node the VM left, with when (ms since the epoch), newest last. */
  readonly departures: ReadonlyMap<number, readonly { readonly node: number; readonly at: number }[]>;
}

/** Everything a plugin may read during one pass. `state` is the pass's scratchpad (CycleState). */
export interface PlacementContext {
  readonly model: ClusterModel;
  readonly placement: Placement;
  readonly policies: PolicySet;
  readonly balance: BalancePolicySpec;
  readonly purpose: Purpose;
  /** Milliseconds since the epoch. */
  readonly now: number;
  readonly load: LoadTracker;
  readonly headroom: LoadTracker;
  readonly history: MoveHistory;
  readonly state: CycleState;
}

/** Per-pass data plugins compute once and share; keys are plugin names. */
export class CycleState {
  private readonly entries = new Map<string, unknown>();

  /** Returns the entry for `key`, computing it on first use. */
  get<T>(key: string, compute: () => T): T {
    if (this.entries.has(key)) return this.entries.get(key) as T;
    const value = compute();
    this.entries.set(key, value);
    return value;
  }

  /** A memo per numbered item (a VM, a node) under one key: hot paths build no string keys. */
  memo<T>(key: string, item: number, compute: () => T): T {
    const table = this.get(key, () => new Map<number, T>());
    if (table.has(item)) return table.get(item) as T;
    const value = compute();
    table.set(item, value);
    return value;
  }
}

export interface FilterPlugin {
  readonly name: string;
  /**
   * A static filter's verdict depends only on the VM's spec and the node's spec, never on where
   * other VMs are; the framework caches it per VM signature.
   */
  readonly static: boolean;
  /** For static filters: the parts of the VM (and its source) the verdict depends on. */
  signature?(ctx: PlacementContext, vm: VmInfo): string;
  /** Undefined when the node fits, else the reason it does not. */
  filter(ctx: PlacementContext, vm: VmInfo, node: NodeInfo): string | undefined;
}

export interface ScorePlugin {
  readonly name: string;
  readonly defaultWeight: number;
  /** Raw score; any scale when `normalize` is set, else 0..100. */
  score(ctx: PlacementContext, vm: VmInfo, node: NodeInfo): number;
  /** Rescales raw scores across candidate nodes to 0..100. */
  readonly normalize?: "max" | "min-max" | undefined;
}

export interface VmCheck {
  readonly name: string;
  /** Undefined when the VM may move, else the reason it may not. */
  check(ctx: PlacementContext, vm: VmInfo): string | undefined;
}

export const MAX_SCORE = 100;
