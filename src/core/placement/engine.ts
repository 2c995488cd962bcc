/**
 * Runs the plugins: may a VM move, does it fit a node, how does each node score. Static filters
 * are cached per VM signature and node, so planning a large cluster checks each label rule once
 * per distinct VM shape rather than once per VM.
 */
import type { NodeInfo, VmInfo } from "../model/cluster.ts";
import type { FilterPlugin, PlacementContext, Rejection, ScorePlugin } from "./framework.ts";
import type { PluginRegistry } from "./registry.ts";

export interface ScoreTerm {
  readonly plugin: string;
  readonly raw: number;
  /** 0..100 after normalization across the candidate nodes. */
  readonly score: number;
  readonly weight: number;
}

export interface NodeScore {
  readonly node: number;
  /** Weighted mean of the terms, 0..100. */
  readonly total: number;
  readonly terms: readonly ScoreTerm[];
}

export class PlacementEngine {
  readonly registry: PluginRegistry;
  private readonly staticFilters: readonly FilterPlugin[];
  private readonly dynamicFilters: readonly FilterPlugin[];
  private readonly staticVerdicts = new Map<string, Map<number, Rejection | null>>();

  constructor(registry: PluginRegistry) {
    this.registry = registry;
    this.staticFilters = registry.filters.filter((plugin) => plugin.static);
    this.dynamicFilters = registry.filters.filter((plugin) => !plugin.static);
  }

  /** The first reason the VM may not move at all, if any. */
  blocker(ctx: PlacementContext, vm: VmInfo): Rejection | undefined {
    for (const check of this.registry.checks) {
      const reason = check.check(ctx, vm);
      if (reason) return { plugin: check.name, reason };
    }
    return undefined;
  }

  /** Every reason the VM may not move. */
  blockers(ctx: PlacementContext, vm: VmInfo): Rejection[] {
    const found: Rejection[] = [];
    for (const check of this.registry.checks) {
      const reason = check.check(ctx, vm);
      if (reason) found.push({ plugin: check.name, reason });
    }
    return found;
  }

  private signature(ctx: PlacementContext, vm: VmInfo): string {
    // Static verdicts may depend on the source (CPU compatibility), so the memo remembers it.
    const source = ctx.placement.nodeOf(vm.index);
    const cached = ctx.state.memo("engine/signature", vm.index, () => ({
      source,
      signature: this.computeSignature(ctx, vm),
    }));
    return cached.source === source ? cached.signature : this.computeSignature(ctx, vm);
  }

  private computeSignature(ctx: PlacementContext, vm: VmInfo): string {
    const parts = this.staticFilters.map((plugin) => plugin.signature?.(ctx, vm) ?? `#${vm.index}`);
    return `${parts.join("\u0000")}\u0000${ctx.purpose}`;
  }

  private staticRejection(ctx: PlacementContext, vm: VmInfo, node: NodeInfo): Rejection | null {
    const signature = this.signature(ctx, vm);
    let verdicts = this.staticVerdicts.get(signature);
    if (!verdicts) {
      verdicts = new Map();
      this.staticVerdicts.set(signature, verdicts);
    }
    const cached = verdicts.get(node.index);
    if (cached !== undefined) return cached;
    let verdict: Rejection | null = null;
    for (const plugin of this.staticFilters) {
      const reason = plugin.filter(ctx, vm, node);
      if (reason) {
        verdict = { plugin: plugin.name, reason };
        break;
      }
    }
    verdicts.set(node.index, verdict);
    return verdict;
  }

  /** The first reason the node does not fit the VM, or undefined when it fits. */
  rejection(ctx: PlacementContext, vm: VmInfo, node: NodeInfo): Rejection | undefined {
    if (node.index === ctx.placement.nodeOf(vm.index)) return { plugin: "Source", reason: "the VM already runs here" };
    const fixed = this.staticRejection(ctx, vm, node);
    if (fixed) return fixed;
    for (const plugin of this.dynamicFilters) {
      const reason = plugin.filter(ctx, vm, node);
      if (reason) return { plugin: plugin.name, reason };
    }
    return undefined;
  }

  /** Every filter's objection, for `explain`. */
  rejections(ctx: PlacementContext, vm: VmInfo, node: NodeInfo): Rejection[] {
    if (node.index === ctx.placement.nodeOf(vm.index))
      return [{ plugin: "Source", reason: "the VM already runs here" }];
    const found: Rejection[] = [];
    for (const plugin of this.registry.filters) {
      const reason = plugin.filter(ctx, vm, node);
      if (reason) found.push({ plugin: plugin.name, reason });
    }
    return found;
  }

  /** Scores the candidate nodes for the VM, each term normalized across the candidates. */
  score(
    ctx: PlacementContext,
    vm: VmInfo,
    nodes: readonly NodeInfo[],
    weights: Readonly<Record<string, number>>,
  ): NodeScore[] {
    const plugins = this.registry.scores.filter((plugin) => (weights[plugin.name] ?? plugin.defaultWeight) > 0);
    const raws = plugins.map((plugin) => nodes.map((node) => plugin.score(ctx, vm, node)));
    const normalized = plugins.map((plugin, index) => normalize(plugin, raws[index] ?? []));
    const totalWeight = plugins.reduce((sum, plugin) => sum + (weights[plugin.name] ?? plugin.defaultWeight), 0);
    return nodes.map((node, position) => {
      const terms = plugins.map((plugin, index) => ({
        plugin: plugin.name,
        raw: raws[index]?.[position] ?? 0,
        score: normalized[index]?.[position] ?? 0,
        weight: weights[plugin.name] ?? plugin.defaultWeight,
      }));
      const total = totalWeight > 0 ? terms.reduce((sum, term) => sum + term.score * term.weight, 0) / totalWeight : 0;
      return { node: node.index, total, terms };
    });
  }
}

function normalize(plugin: ScorePlugin, raws: readonly number[]): number[] {
  if (!plugin.normalize) return raws.map((raw) => Math.max(0, Math.min(100, raw)));
  const max = Math.max(...raws);
  // No node scores anything: nothing to prefer, so every node gets the full score (as with min-max).
  if (plugin.normalize === "max") return raws.map((raw) => (max > 0 ? (100 * Math.max(0, raw)) / max : 100));
  const min = Math.min(...raws);
  // All equal: no node is preferred over another, so every node gets the full score.
  return raws.map((raw) => (max > min ? (100 * (raw - min)) / (max - min) : 100));
}
