/**
 * Restart priorities in practice. Once a fenced node's VMs are released, KubeVirt would start them
 * all at once; so before the release kubedrs holds back (run strategy Halted) every VM the restart
 * order makes wait, and lets each go when its turn comes: the classes it starts after are all
 * Running again and their readyDelay has passed, and no VM of a higher class is still waiting.
 */
import type { FailoverPolicySpec } from "../policy/kinds/failover-policy.ts";

export interface HeldVm {
  readonly vm: string;
  readonly priorityClass: string;
  readonly priority: number;
}

export interface Restarted {
  readonly vm: string;
  /** Milliseconds since the epoch. */
  readonly at: number;
}

export interface HoldInput {
  readonly restart: FailoverPolicySpec["restart"];
  /** Every VM of the incident with its class (held or not). */
  readonly classes: ReadonlyMap<string, string>;
  readonly held: readonly HeldVm[];
  readonly restarted: readonly Restarted[];
  readonly now: number;
}

/** When every VM of the class is Running again: the last one's time; undefined while any waits. */
function classReadyAt(input: HoldInput, className: string): number | undefined {
  const members = [...input.classes].filter(([, name]) => name === className).map(([vm]) => vm);
  const times = members.map((vm) => input.restarted.find((entry) => entry.vm === vm)?.at);
  if (times.some((time) => time === undefined)) return undefined;
  return Math.max(0, ...(times as number[]));
}

/** Why a held VM still waits, or undefined when it may start now. */
export function holdReason(input: HoldInput, held: HeldVm): string | undefined {
  const spec = input.restart.priorityClasses.find((candidate) => candidate.name === held.priorityClass);
  for (const before of spec?.startAfter ?? []) {
    const ready = classReadyAt(input, before);
    if (ready === undefined) return `waits for class ${before} to be Running`;
    const due = ready + (spec?.readyDelay ?? 0) * 1000;
    if (input.now < due) return `waits ${Math.ceil((due - input.now) / 1000)}s more after class ${before} (readyDelay)`;
  }
  const higher = input.held.find((other) => other.priority > held.priority);
  return higher ? `waits behind ${higher.vm} (class ${higher.priorityClass})` : undefined;
}

/** The held VMs that may start now, highest priority first. */
export function releasableHolds(input: HoldInput): HeldVm[] {
  return [...input.held]
    .sort((a, b) => b.priority - a.priority || (a.vm < b.vm ? -1 : 1))
    .filter((held) => holdReason(input, held) === undefined);
}
