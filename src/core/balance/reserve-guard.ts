/**
 * HA admission control for balancing (FailoverPolicy admissionControl.enforce): a balance move may
 * not leave the cluster able to absorb fewer host failures than the policies want, nor fewer than
 * it absorbs now when it is already short. Spreading load usually helps the reserve; what hurts it
 * is filling the one node with room for a big protected VM, which is what this refuses. Moves that
 * fix a broken Required rule are not held back: a hard rule outranks the reserve.
 */
import { failuresTolerated } from "../failover/capacity-reserve.ts";
import type { PlacementContext } from "../placement/framework.ts";
import type { Candidate } from "./candidates.ts";

export interface ReserveGuard {
  /**
   * Why the move would spend the failover reserve, or undefined when it may go; a move admitted is
   * taken as made, so the reserve it leaves is the floor for the next.
   */
  admit(move: Candidate): string | undefined;
}

/** The guard for this pass, or undefined when no FailoverPolicy enforces admission control. */
export function reserveGuard(ctx: PlacementContext): ReserveGuard | undefined {
  const enforcing = ctx.policies.failover.filter((policy) => policy.spec.admissionControl.enforce);
  if (enforcing.length === 0) return undefined;
  // Only what the enforcing policies want is kept; the others only report.
  const wanted = Math.max(...enforcing.map((policy) => policy.spec.admissionControl.hostFailuresToTolerate));
  const { model, policies, placement } = ctx;
  const now = failuresTolerated(model, policies, (vm) => placement.nodeOf(vm.index));
  let floor = Math.min(wanted, now.tolerated);
  return {
    admit(move) {
      const after = failuresTolerated(model, policies, (vm) =>
        vm.index === move.vm.index ? move.to : placement.nodeOf(vm.index),
      );
      if (after.tolerated >= floor) {
        floor = Math.min(wanted, after.tolerated);
        return undefined;
      }
      const to = model.nodes[move.to]?.name ?? "?";
      return (
        `moving ${move.vm.key} to ${to} would leave the cluster absorbing ${after.tolerated} host failure(s), ` +
        `below the ${floor} admissionControl keeps (enforce: true)`
      );
    },
  };
}
