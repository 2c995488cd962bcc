/**
 * When maintenance ends, the VMs that left may go home (MaintenancePolicy `moveBack`): each back to
 * the node it was evacuated from, if it still may move and the node passes every hard rule for it,
 * in the same longest-first order as the evacuation. A VM that cannot go back stays, with the reason.
 */
import { migrationCosts } from "../balance/migration-costs.ts";
import { describeCost } from "../balance/pass.ts";
import type { PlannedMove } from "../balance/plan-types.ts";
import type { ClusterModel, VmInfo } from "../model/cluster.ts";
import { Placement } from "../model/placement.ts";
import { createPlacementContext } from "../placement/context.ts";
import { defaultRegistry } from "../placement/default-plugins.ts";
import { PlacementEngine } from "../placement/engine.ts";
import type { PlacementContext } from "../placement/framework.ts";
import { type PolicySet, primaryBalancePolicy } from "../policy/policy-set.ts";

export interface MoveBackInput {
  readonly model: ClusterModel;
  readonly policies: PolicySet;
  readonly now: number;
  /** The node that was in maintenance. */
  readonly node: string;
  /** The VMs evacuated from it ("namespace/name"). */
  readonly vms: readonly string[];
}

export interface MoveBack {
  readonly moves: readonly PlannedMove[];
  /** VMs that stay where they are, and why (gone, already home, migrating, or a rule says no). */
  readonly staying: readonly { readonly vm: string; readonly reason: string }[];
}

function whyStay(
  engine: PlacementEngine,
  ctx: PlacementContext,
  vm: VmInfo | undefined,
  home: number,
): string | undefined {
  if (!vm) return "the VM is gone";
  if (vm.node === home) return "already there";
  const blocker = engine.blocker(ctx, vm);
  if (blocker) return `${blocker.plugin}: ${blocker.reason}`;
  const node = ctx.model.nodes[home];
  const rejection = node && engine.rejection(ctx, vm, node);
  return rejection ? `${rejection.plugin}: ${rejection.reason}` : undefined;
}

export function planMoveBack(input: MoveBackInput): MoveBack {
  const { model, policies } = input;
  const home = model.nodeIndex.get(input.node);
  if (home === undefined)
    return { moves: [], staying: input.vms.map((vm) => ({ vm, reason: `node ${input.node} is gone` })) };
  const placement = Placement.fromModel(model);
  const balance = primaryBalancePolicy(policies).spec;
  const ctx = createPlacementContext({ model, placement, policies, balance, purpose: "evacuate", now: input.now });
  const engine = new PlacementEngine(defaultRegistry());
  const costs = migrationCosts(model, policies);
  const vms = input.vms
    .map((key) => ({ key, vm: model.vms[model.vmIndex.get(key) ?? -1] }))
    .sort((a, b) => (b.vm?.guestMemory ?? 0) - (a.vm?.guestMemory ?? 0) || (a.key < b.key ? -1 : 1));
  const moves: PlannedMove[] = [];
  const staying: { vm: string; reason: string }[] = [];
  for (const { key, vm } of vms) {
    const reason = whyStay(engine, ctx, vm, home);
    if (reason !== undefined || !vm) {
      staying.push({ vm: key, reason: reason ?? "the VM is gone" });
      continue;
    }
    const cost = costs.estimate(vm, vm.node, home);
    moves.push({
      vm: key,
      from: model.nodes[vm.node]?.name ?? "?",
      to: input.node,
      kind: "evacuate",
      policy: "move-back",
      reasons: [`moving back to ${input.node} after its maintenance`, describeCost({ cost })],
      gain: { points: 0, byResource: { cpu: 0, memory: 0 }, hotSpotPoints: 0 },
      cost: { ...cost, points: 0 },
      imbalanceAfter: 0,
      score: { total: 0, terms: [] },
      wave: 0,
      dependsOn: [],
    });
    placement.move(vm, home);
  }
  return { moves, staying };
}
