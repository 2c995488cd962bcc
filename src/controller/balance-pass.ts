/**
 * One balance pass, from the cache's objects to a decided plan: build the snapshot (odd objects are
 * left out with a warning naming them), lay the smoothed usage over it, call the pure planner, and
 * sort each move by what may happen to it now: executed (Automatic, inside its windows) or only
 * recommended (Recommend, or a closed window, with the reason). No I/O here either; the controller
 * does the talking.
 */
import { type KubeObjects, snapshotFromObjects } from "../adapters/kube/convert/snapshot.ts";
import type { AntiThrashState } from "../core/balance/anti-thrash.ts";
import { plan } from "../core/balance/plan.ts";
import type { Plan, PlannedMove } from "../core/balance/plan-types.ts";
import { buildClusterModel, type ClusterModel } from "../core/model/cluster.ts";
import type { ClusterSnapshot } from "../core/model/snapshot.ts";
import { createRng } from "../core/numeric/rng.ts";
import type { Policy, PolicySet } from "../core/policy/policy-set.ts";
import { movesAllowedAt } from "../core/schedule/windows.ts";
import type { UsageSummaries } from "../core/usage/summaries.ts";
import { withUsage } from "../core/usage/with-usage.ts";
import { type LatestSample, usageForCurrentPlacement } from "../core/usage/current-placement.ts";

export interface PassInput {
  readonly objects: KubeObjects;
  readonly usage: UsageSummaries | undefined;
  /** The newest raw sample, to rebuild node usage for where the VMs run now. */
  readonly latest: LatestSample | undefined;
  readonly policies: PolicySet;
  readonly now: number;
  readonly seed: number;
  readonly antiThrash: AntiThrashState;
}

export interface HeldMove {
  readonly move: PlannedMove;
  readonly reason: string;
}

export interface PassResult {
  readonly snapshot: ClusterSnapshot;
  readonly plan: Plan;
  /** Moves to execute now. */
  readonly execute: readonly PlannedMove[];
  /** Moves published only, each with why. */
  readonly recommend: readonly HeldMove[];
  readonly warnings: readonly string[];
  readonly planSeconds: number;
  /** The model the plan was made on (the failover reserve is measured on it too). */
  readonly model: ClusterModel;
}

function heldBecause(policy: Policy<"BalancePolicy"> | undefined, now: number): string | undefined {
  if (policy === undefined) return "its policy is gone";
  if (policy.spec.automation !== "Automatic") return `${policy.metadata.name} is in ${policy.spec.automation} mode`;
  const window = movesAllowedAt(now, policy.spec.schedule);
  return window.open ? undefined : window.reason;
}

/** The cluster's objects as a snapshot, with the smoothed usage laid over where the VMs run now. */
export function snapshotWithUsage(
  objects: KubeObjects,
  usage: UsageSummaries | undefined,
  latest: LatestSample | undefined,
): { snapshot: ClusterSnapshot; warnings: readonly string[] } {
  const { snapshot: bare, warnings } = snapshotFromObjects(objects);
  const smoothed = usage ? withUsage(bare, usage) : bare;
  return { snapshot: latest ? usageForCurrentPlacement(smoothed, latest) : smoothed, warnings };
}

export function runBalancePass(input: PassInput, elapsed: () => number): PassResult {
  const { snapshot, warnings } = snapshotWithUsage(input.objects, input.usage, input.latest);
  const model = buildClusterModel(snapshot);
  const started = elapsed();
  const result = plan({
    model,
    policies: input.policies,
    now: input.now,
    rng: createRng(input.seed),
    antiThrash: input.antiThrash,
  });
  const planSeconds = (elapsed() - started) / 1000;
  const byName = new Map(input.policies.balance.map((policy) => [policy.metadata.name, policy]));
  const execute: PlannedMove[] = [];
  const recommend: HeldMove[] = [];
  for (const move of result.moves) {
    const reason = heldBecause(byName.get(move.policy), input.now);
    if (reason === undefined) execute.push(move);
    else recommend.push({ move, reason });
  }
  return { snapshot, plan: result, execute, recommend, warnings, planSeconds, model };
}
