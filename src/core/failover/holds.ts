/**
 * Restart priorities in practice. Once a fenced node's VMs are released, KubeVirt would start them
 * all at once; so before the release kubedrs holds back (run strategy Halted) every VM the restart
 * order makes wait, and lets each go when its turn comes: the classes it starts after are all
 * Running again and their readyDelay has passed, and no VM of a higher rank is still waiting. The
 * startAfter gate and the ranks are restartOrder's own (rankClasses, classWait), so a hold ends on
 * the same terms as the order that made it: startAfter entries that close a cycle are ignored, and a
 * class the others start after inherits their rank and goes first.
 */
import type { FailoverPolicySpec } from "../policy/kinds/failover-policy.ts";
import { type ClassProgress, type RankedClass, classWait, compareClasses, rankClasses } from "./restart-order.ts";

export interface HeldVm {
  readonly vm: string;
  readonly priorityClass: string;
  /**
   * Its class's rank in the restart order (the value, raised to that of any class starting after it).
   * Holds go by the policy's current rank; this is the fallback for a class the policy no longer has.
   */
  readonly priority: number;
}

export interface Restarted {
  readonly vm: string;
  /** Milliseconds since the epoch. */
  readonly at: number;
}

export interface HoldInput {
  readonly restart: FailoverPolicySpec["restart"];
  /**
   * Every VM of the incident that is to run again with its class (held or not). VMs left alone
   * (Manual, Halted) do not belong here: they never run again on their own, so a class would wait forever.
   */
  readonly classes: ReadonlyMap<string, string>;
  readonly held: readonly HeldVm[];
  readonly restarted: readonly Restarted[];
  readonly now: number;
}

/** The policy's ranked classes and how far the incident's classes are, worked out once per call. */
interface Turns {
  readonly input: HoldInput;
  readonly classes: ReadonlyMap<string, RankedClass>;
  readonly progress: ClassProgress;
}

/** Per class: its VMs not Running again yet, and when the last of them was (once all are). */
function progressOf(input: HoldInput): ClassProgress {
  const restartedAt = new Map(input.restarted.map((entry) => [entry.vm, entry.at]));
  const pending = new Map<string, string[]>();
  const since = new Map<string, number>();
  for (const [vm, className] of input.classes) {
    const waiting = pending.get(className) ?? [];
    const at = restartedAt.get(vm);
    if (at === undefined) waiting.push(vm);
    else since.set(className, Math.max(since.get(className) ?? 0, at));
    pending.set(className, waiting);
  }
  return { pending, since, now: input.now };
}

function turnsOf(input: HoldInput): Turns {
  return { input, classes: rankClasses(input.restart.priorityClasses), progress: progressOf(input) };
}

/** The held VM's class as the order ranks it; one the policy no longer has waits for nothing, at its stored rank. */
function classOf(turns: Turns, held: HeldVm): RankedClass {
  const known = turns.classes.get(held.priorityClass);
  if (known) return known;
  const spec = { name: held.priorityClass, value: held.priority, startAfter: [], readyDelay: 0 };
  return { spec, after: [], rank: held.priority, depth: 0, cyclic: [] };
}

function reasonOf(turns: Turns, held: HeldVm): string | undefined {
  const wait = classWait(classOf(turns, held), turns.progress);
  if (wait?.kind === "running") return `waits for class ${wait.after} to be Running`;
  // Not reached: every class the holds wait for has a VM of the incident, so its time is known once it runs.
  if (wait?.kind === "unknownSince") return `waits for class ${wait.after.join(", ")} to be Running`;
  if (wait?.kind === "readyDelay") {
    const seconds = Math.ceil((wait.until - turns.progress.now) / 1000);
    return `waits ${seconds}s more after class ${wait.after.join(", ")} (readyDelay)`;
  }
  const rank = classOf(turns, held).rank;
  const higher = turns.input.held.find((other) => classOf(turns, other).rank > rank);
  return higher ? `waits behind ${higher.vm} (class ${higher.priorityClass})` : undefined;
}

/** Why a held VM still waits, or undefined when it may start now. */
export function holdReason(input: HoldInput, held: HeldVm): string | undefined {
  return reasonOf(turnsOf(input), held);
}

/** The held VMs that may start now, in restart order (highest rank first). */
export function releasableHolds(input: HoldInput): HeldVm[] {
  const turns = turnsOf(input);
  return [...input.held]
    .sort((a, b) => compareClasses(classOf(turns, a), classOf(turns, b)) || (a.vm < b.vm ? -1 : 1))
    .filter((held) => reasonOf(turns, held) === undefined);
}
