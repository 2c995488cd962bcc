/** Everything one balance domain's planning reads: the plugin context, the domain's load picture and its thresholds. */
import type { ClusterModel } from "../model/cluster.ts";
import type { LoadTracker } from "../model/load.ts";
import type { Placement } from "../model/placement.ts";
import { createPlacementContext } from "../placement/context.ts";
import type { MoveHistory, PlacementContext } from "../placement/framework.ts";
import type { PolicySet } from "../policy/policy-set.ts";
import { BalanceDomain } from "./domain.ts";
import type { DomainAssignment } from "./domains.ts";
import { type Thresholds, thresholdsFor } from "./thresholds.ts";

export interface DomainSetup {
  readonly ctx: PlacementContext;
  readonly domain: BalanceDomain;
  readonly thresholds: Thresholds;
}

export interface SetupInput {
  readonly model: ClusterModel;
  readonly placement: Placement;
  readonly policies: PolicySet;
  readonly now: number;
  readonly history: MoveHistory;
}

/** The load picture of a policy's active nodes, weighted and capped as the policy says. */
export function domainFor(assignment: DomainAssignment, placement: Placement, load: LoadTracker): BalanceDomain {
  const spec = assignment.policy.spec;
  return new BalanceDomain(assignment.active, placement, load, {
    weights: spec.resources,
    ceilings: { cpu: spec.utilization.maxCpu, memory: spec.utilization.maxMemory },
  });
}

export function setUpDomain(input: SetupInput, assignment: DomainAssignment): DomainSetup {
  const spec = assignment.policy.spec;
  const ctx = createPlacementContext({ ...input, balance: spec, purpose: "balance" });
  return { ctx, domain: domainFor(assignment, input.placement, ctx.load), thresholds: thresholdsFor(spec) };
}
