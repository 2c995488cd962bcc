/**
 * Checks of a plan written from the snapshot alone, not through the planner's own plugins, so a
 * bug in a plugin cannot hide itself.
 */
import fc from "fast-check";
import type { Plan } from "../../src/core/balance/plan-types.ts";
import type { ClusterModel, VmInfo } from "../../src/core/model/cluster.ts";
import { policyDocumentSchemas } from "../../src/core/policy/document.ts";
import { EMPTY_POLICY_SET, type PolicySet } from "../../src/core/policy/policy-set.ts";

export const limitsCase = fc.record({
  aggressiveness: fc.integer({ min: 2, max: 5 }),
  maxMovesPerPass: fc.integer({ min: 0, max: 15 }),
  maxParallelMigrations: fc.integer({ min: 1, max: 5 }),
  maxOutboundPerNode: fc.integer({ min: 1, max: 2 }),
  maxInboundPerNode: fc.integer({ min: 1, max: 3 }),
});

export type Limits = typeof limitsCase extends fc.Arbitrary<infer T> ? T : never;

export function policiesWith(limits: Limits): PolicySet {
  const { aggressiveness, ...rest } = limits;
  const balance = policyDocumentSchemas.BalancePolicy.parse({
    apiVersion: "kubedrs.io/v1alpha1",
    kind: "BalancePolicy",
    metadata: { name: "default" },
    spec: { aggressiveness, limits: rest },
  });
  return { ...EMPTY_POLICY_SET, balance: [balance] };
}

export function vmOf(model: ClusterModel, key: string): VmInfo {
  const vm = model.vms[model.vmIndex.get(key) ?? -1];
  if (!vm) throw new Error(`no VM ${key}`);
  return vm;
}

export function nodeIndex(model: ClusterModel, name: string): number {
  const index = model.nodeIndex.get(name);
  if (index === undefined) throw new Error(`no node ${name}`);
  return index;
}

/** Requests held per node, from the snapshot alone. */
function initialUse(model: ClusterModel): Map<number, Record<string, number>> {
  const use = new Map<number, Record<string, number>>(model.nodes.map((node) => [node.index, {}]));
  for (const vm of model.vms) add(use, vm.node, vm, 1);
  return use;
}

function add(use: Map<number, Record<string, number>>, node: number, vm: VmInfo, sign: 1 | -1): void {
  const held = use.get(node) ?? {};
  for (const [resource, amount] of Object.entries(vm.requests)) held[resource] = (held[resource] ?? 0) + sign * amount;
  use.set(node, held);
}

function overcommitted(model: ClusterModel, use: Map<number, Record<string, number>>): string | undefined {
  for (const [node, held] of use) {
    const allocatable = model.nodes[node]?.allocatable ?? {};
    for (const [resource, amount] of Object.entries(held)) {
      if (amount > (allocatable[resource] ?? 0) + 1e-6)
        return `${model.nodes[node]?.name} ${resource} ${amount} > ${allocatable[resource]}`;
    }
  }
  return undefined;
}

/** Runs the plan wave by wave, each migrating VM holding both nodes, and reports the first overcommit. */
export function firstOvercommit(model: ClusterModel, result: Plan): string | undefined {
  const use = initialUse(model);
  const waves = Math.max(0, ...result.moves.map((move) => move.wave + 1));
  for (let wave = 0; wave < waves; wave += 1) {
    const moves = result.moves.filter((move) => move.wave === wave);
    for (const move of moves) add(use, nodeIndex(model, move.to), vmOf(model, move.vm), 1);
    const problem = overcommitted(model, use);
    if (problem) return `wave ${wave}: ${problem}`;
    for (const move of moves) add(use, nodeIndex(model, move.from), vmOf(model, move.vm), -1);
  }
  return undefined;
}

function labelsOf(model: ClusterModel, name: string): Readonly<Record<string, string>> {
  return model.nodes[nodeIndex(model, name)]?.labels ?? {};
}

function vendorOf(labels: Readonly<Record<string, string>>): string | undefined {
  return Object.keys(labels).find((key) => key.startsWith("cpu-vendor.node.kubevirt.io/"));
}

/** Replays the moves in plan order and returns the first hard rule one of them breaks. */
export function firstHardRuleBroken(model: ClusterModel, result: Plan): string | undefined {
  const nodeOf = new Map(model.vms.map((vm) => [vm.key, model.nodes[vm.node]?.name ?? ""]));
  for (const move of result.moves) {
    const vm = vmOf(model, move.vm);
    const target = model.nodes[nodeIndex(model, move.to)];
    const source = labelsOf(model, move.from);
    if (!target) return `unknown target ${move.to}`;
    if (move.from !== nodeOf.get(move.vm))
      return `${move.vm} moved from ${move.from} but ran on ${nodeOf.get(move.vm)}`;
    if (move.to === move.from) return `${move.vm} moved to its own node`;
    if (target.unschedulable || target.notReadyReason) return `${move.vm} moved to unschedulable ${move.to}`;
    if (Object.entries(vm.nodeSelector).some(([key, value]) => target.labels[key] !== value))
      return `${move.vm} nodeSelector broken on ${move.to}`;
    if (vendorOf(source) !== vendorOf(target.labels)) return `${move.vm} crossed CPU vendors ${move.from} → ${move.to}`;
    if (
      vm.cpu.mode === "host-passthrough" &&
      JSON.stringify(model.nodes[nodeIndex(model, move.from)]?.cpu.hostModel) !== JSON.stringify(target.cpu.hostModel)
    ) {
      return `${move.vm} host-passthrough moved to a different CPU model`;
    }
    const tier = vm.labels.tier;
    if (
      tier &&
      model.vms.some((other) => other.key !== vm.key && other.labels.tier === tier && nodeOf.get(other.key) === move.to)
    ) {
      return `${move.vm} joined another ${tier} VM on ${move.to}`;
    }
    nodeOf.set(move.vm, move.to);
  }
  return undefined;
}

export function limitBroken(result: Plan, limits: Limits): string | undefined {
  const parallel = Math.min(5, limits.maxParallelMigrations);
  const outbound = Math.min(2, limits.maxOutboundPerNode);
  for (let wave = 0; wave < result.waves; wave += 1) {
    const moves = result.moves.filter((move) => move.wave === wave);
    if (moves.length > parallel) return `wave ${wave} runs ${moves.length} > ${parallel}`;
    const count = (key: "from" | "to", node: string): number => moves.filter((move) => move[key] === node).length;
    for (const move of moves) {
      if (count("from", move.from) > outbound) return `wave ${wave}: ${count("from", move.from)} leave ${move.from}`;
      if (count("to", move.to) > limits.maxInboundPerNode)
        return `wave ${wave}: ${count("to", move.to)} enter ${move.to}`;
    }
  }
  if (result.moves.length > limits.maxMovesPerPass)
    return `${result.moves.length} moves > ${limits.maxMovesPerPass} per pass`;
  const vms = result.moves.map((move) => move.vm);
  if (new Set(vms).size !== vms.length) return "a VM moves twice in one plan";
  return undefined;
}

export function movedTheUnmovable(model: ClusterModel, result: Plan): string | undefined {
  for (const move of result.moves) {
    const vm = vmOf(model, move.vm);
    if (vm.excluded) return `${move.vm} is excluded`;
    if (vm.liveMigratable.status !== "True") return `${move.vm} is not live-migratable`;
    if (vm.hostDevices.length > 0) return `${move.vm} has a passthrough device`;
    if (vm.volumes.some((volume) => volume.accessModes && !volume.accessModes.includes("ReadWriteMany")))
      return `${move.vm} has a ReadWriteOnce volume`;
  }
  return undefined;
}
