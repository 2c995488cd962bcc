/** Shared by the strategies that plan on kubedrs' model: names back to replay indexes, and the pass cadence. */
import { cronSchedule } from "../../controller/cron-schedule.ts";
import { type HistorySettings, historySettingsOf } from "../../controller/usage/usage-history.ts";
import { defaultBalancePolicy, type Policy, type PolicySet } from "../../core/policy/policy-set.ts";
import type { ReplayMove, ReplayState } from "../replay-types.ts";

/** Moves named by VM key and node name, as replay indexes; a name the state lacks is dropped. */
export function indexMoves(state: ReplayState, moves: readonly { vm: string; to: string }[]): ReplayMove[] {
  const vmIndex = new Map(state.vms.map((vm, index) => [vm.key, index]));
  const hostIndex = new Map(state.hosts.map((host, index) => [host.name, index]));
  return moves.flatMap((move) => {
    const vm = vmIndex.get(move.vm);
    const to = hostIndex.get(move.to);
    return vm === undefined || to === undefined ? [] : [{ vm, to }];
  });
}

/** The BalancePolicy a replay's single balance domain follows: the first, or kubedrs' default. */
function balancePolicyOf(policies: PolicySet): Policy<"BalancePolicy"> {
  return policies.balance[0] ?? defaultBalancePolicy();
}

/** How the controller summarizes usage under that policy (its metrics window and smoothing). */
export function usageSettingsOf(policies: PolicySet): HistorySettings {
  return historySettingsOf(balancePolicyOf(policies).spec.metrics);
}

/**
 * The policy's pass cadence: the time between the first two moments its cron schedule matches, read
 * by the controller's own cron reader. The replay does not apply allowed or freeze windows.
 */
export function passIntervalMs(policies: PolicySet): number {
  const { cron, timeZone } = balancePolicyOf(policies).spec.schedule;
  const schedule = cronSchedule(cron, timeZone);
  const first = schedule.next(0);
  const second = first === undefined ? undefined : schedule.next(first);
  if (first === undefined || second === undefined) throw new Error(`the BalancePolicy schedule ${cron} never repeats`);
  return second - first;
}
