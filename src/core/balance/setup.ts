/** Everything one balance domain's planning reads: the plugin context, the domain's load picture and its thresholds. */
import type { ClusterModel } from "../model/cluster.ts";
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

export function setUpDomain(input: SetupInput, assignment: DomainAssignment): DomainSetup {
  const spec = assignment.policy.spec;
  const ctx = createPlacementContext({ ...input, balance: spec, purpose: "balance" });
  const domain = new BalanceDomain(assignment.active, input.placement, ctx.load, {
    weights: spec.resources,
    ceilings: { cpu: spec.utilization.maxCpu, memory: spec.utilization.maxMemory },
  });
  return { ctx, domain, thresholds: thresholdsFor(spec) };
}
