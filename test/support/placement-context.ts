/**
 * A placement context for plugin tests: snapshot → model → Placement → PlacementContext, with a
 * BalancePolicy and PlacementRules parsed the way policy files are, so defaults apply as in production.
 */
import { expect } from "vitest";
import type { z } from "zod";
import type { ClusterModel, NodeInfo, VmInfo } from "../../src/core/model/cluster.ts";
import { Placement } from "../../src/core/model/placement.ts";
import { createPlacementContext } from "../../src/core/placement/context.ts";
import { PlacementEngine } from "../../src/core/placement/engine.ts";
import type {
  FilterPlugin,
  MoveHistory,
  PlacementContext,
  Purpose,
  ScorePlugin,
  VmCheck,
} from "../../src/core/placement/framework.ts";
import { PluginRegistry } from "../../src/core/placement/registry.ts";
import { policyDocumentSchemas } from "../../src/core/policy/document.ts";
import type { balancePolicySpec } from "../../src/core/policy/kinds/balance-policy.ts";
import type { placementRuleSpec } from "../../src/core/policy/kinds/placement-rule.ts";
import { EMPTY_POLICY_SET } from "../../src/core/policy/policy-set.ts";
import { type MutableSnapshot, NOW, type NodeInput, type VmInput, modelOf } from "./builders.ts";

export type BalanceSpecInput = z.input<typeof balancePolicySpec>;
export type RuleInput = { readonly name: string } & z.input<typeof placementRuleSpec>;

/** A VM left a node `ago` seconds before `now`. */
export interface Departure {
  readonly vm: string;
  readonly from: string;
  readonly ago: number;
}

export interface ContextOptions {
  readonly balance?: BalanceSpecInput;
  readonly rules?: readonly RuleInput[];
  readonly purpose?: Purpose;
  /** Milliseconds since the epoch; defaults to the builders' NOW, the snapshot's time. */
  readonly now?: number;
  readonly departures?: readonly Departure[];
  /** Override hook for the snapshot document (namespaces, migrations, KubeVirt settings). */
  readonly snapshot?: (snapshot: MutableSnapshot) => void;
}

export function contextFor(nodes: NodeInput[], vms: VmInput[], options: ContextOptions = {}): PlacementContext {
  const model = modelOf(nodes, vms, options.snapshot);
  const balance = policyDocumentSchemas.BalancePolicy.parse({
    apiVersion: "kubedrs.io/v1alpha1",
    kind: "BalancePolicy",
    metadata: { name: "test" },
    spec: options.balance ?? {},
  });
  const placementRules = (options.rules ?? []).map(({ name, ...spec }) =>
    policyDocumentSchemas.PlacementRule.parse({
      apiVersion: "kubedrs.io/v1alpha1",
      kind: "PlacementRule",
      metadata: { name },
      spec,
    }),
  );
  const now = options.now ?? NOW;
  return createPlacementContext({
    model,
    placement: Placement.fromModel(model),
    policies: { ...EMPTY_POLICY_SET, balance: [balance], placementRules },
    balance: balance.spec,
    purpose: options.purpose ?? "balance",
    now,
    history: historyOf(model, options.departures ?? [], now),
  });
}

/** Departures as MoveHistory: by VM index, oldest first. */
function historyOf(model: ClusterModel, departures: readonly Departure[], now: number): MoveHistory {
  const byVm = new Map<number, { node: number; at: number }[]>();
  for (const departure of departures) {
    const vm = vmNamed({ model }, departure.vm).index;
    const list = byVm.get(vm) ?? [];
    list.push({ node: nodeNamed({ model }, departure.from).index, at: now - departure.ago * 1000 });
    byVm.set(vm, list);
  }
  for (const list of byVm.values()) list.sort((a, b) => a.at - b.at);
  return { departures: byVm };
}

/** The VM by `namespace/name`, or by name in the builders' default namespace. */
export function vmNamed({ model }: { readonly model: ClusterModel }, name: string): VmInfo {
  const key = name.includes("/") ? name : `default/${name}`;
  const vm = model.vms[model.vmIndex.get(key) ?? -1];
  if (!vm) throw new Error(`no VM ${key} in the test cluster`);
  return vm;
}

export function nodeNamed({ model }: { readonly model: ClusterModel }, name: string): NodeInfo {
  const node = model.nodes[model.nodeIndex.get(name) ?? -1];
  if (!node) throw new Error(`no node ${name} in the test cluster`);
  return node;
}

/** A filter's verdict on moving `vm` to `node`: undefined when it fits, else "Plugin: reason". */
export function filterVerdict(
  plugin: FilterPlugin,
  ctx: PlacementContext,
  vm: string,
  node: string,
): string | undefined {
  const reason = plugin.filter(ctx, vmNamed(ctx, vm), nodeNamed(ctx, node));
  return reason === undefined ? undefined : `${plugin.name}: ${reason}`;
}

/** A VM check's verdict: undefined when the VM may move, else "Check: reason". */
export function checkVerdict(check: VmCheck, ctx: PlacementContext, vm: string): string | undefined {
  const reason = check.check(ctx, vmNamed(ctx, vm));
  return reason === undefined ? undefined : `${check.name}: ${reason}`;
}

/** Asserts a verdict: `undefined` means it must fit, a pattern names the plugin and the key facts. */
export function expectVerdict(actual: string | undefined, want: RegExp | undefined): void {
  if (want === undefined) expect(actual).toBeUndefined();
  else expect(actual).toMatch(want);
}

/** Raw scores of one plugin for `vm` on each named node, keyed by node name. */
export function rawScores(
  plugin: ScorePlugin,
  ctx: PlacementContext,
  vm: string,
  nodes: readonly string[],
): Record<string, number> {
  const info = vmNamed(ctx, vm);
  return Object.fromEntries(nodes.map((node) => [node, plugin.score(ctx, info, nodeNamed(ctx, node))]));
}

/** Scores of one plugin after the engine's normalization across `nodes` (0..100), keyed by node name. */
export function normalizedScores(
  plugin: ScorePlugin,
  ctx: PlacementContext,
  vm: string,
  nodes: readonly string[],
): Record<string, number> {
  const engine = new PlacementEngine(new PluginRegistry().score(plugin));
  const infos = nodes.map((node) => nodeNamed(ctx, node));
  const scores = engine.score(ctx, vmNamed(ctx, vm), infos, {});
  return Object.fromEntries(
    scores.map((score): [string, number] => [ctx.model.nodes[score.node]?.name ?? "?", score.total]),
  );
}

type Labelled = { labels?: Record<string, string> | undefined };

/** An override hook for buildNode and buildVm: adds labels and drops the keys in `remove`. */
export function labelled(
  add: Readonly<Record<string, string>>,
  remove: readonly string[] = [],
): (target: Labelled) => void {
  return (target) => {
    const labels = { ...target.labels, ...add };
    for (const key of remove) delete labels[key];
    target.labels = labels;
  };
}

/** An override hook for buildNode: replaces every KubeVirt CPU label with `cpu`. */
export function withCpuLabels(cpu: Readonly<Record<string, string>>): (target: Labelled) => void {
  return (target) => {
    const kept = Object.entries(target.labels ?? {}).filter(([key]) => !key.includes(".node.kubevirt.io/"));
    target.labels = { ...Object.fromEntries(kept), ...cpu };
  };
}
