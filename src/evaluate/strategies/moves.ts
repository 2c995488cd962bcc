/** Shared by the strategies that plan on kubedrs' model: names back to replay indexes, and the pass cadence. */
import { defaultBalancePolicy, type PolicySet } from "../../core/policy/policy-set.ts";
import type { ReplayMove, ReplayState } from "../replay-types.ts";

const MINUTE_MS = 60_000;

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

/**
 * The first BalancePolicy's pass cadence: its cron when it is every N minutes ("*\/N * * * *"), else
 * five minutes. The replay does not apply allowed or freeze windows.
 */
export function passIntervalMs(policies: PolicySet): number {
  const cron = (policies.balance[0] ?? defaultBalancePolicy()).spec.schedule.cron;
  const everyMinutes = /^\*\/(\d+) \* \* \* \*$/.exec(cron.trim());
  return (everyMinutes ? Number(everyMinutes[1]) : 5) * MINUTE_MS;
}
