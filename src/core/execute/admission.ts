/**
 * Which planned moves may start now. Every live migration in the cluster counts against the limits,
 * whoever started it: at most `cluster` at once, `outboundPerNode` leaving and `inboundPerNode`
 * arriving at any node, never two of one VM, and a move waits for the moves it depends on. The
 * answer names, for each move that waits, why, so the executor can say so.
 */

export interface MigrationLimits {
  readonly cluster: number;
  readonly outboundPerNode: number;
  readonly inboundPerNode: number;
}

/** A live migration in the cluster (any phase before Succeeded or Failed). */
export interface ActiveMigration {
  readonly vm: string;
  readonly source: string | undefined;
  /** Unknown until KubeVirt picks it, unless the migration names one. */
  readonly target: string | undefined;
}

export interface PendingMove {
  /** namespace/name */
  readonly vm: string;
  readonly from: string;
  readonly to: string;
  readonly limits: MigrationLimits;
  /** VMs whose moves must finish first (the plan's wave order). */
  readonly after: readonly string[];
}

export interface Waiting<M> {
  readonly move: M;
  readonly reason: string;
}

export interface Admission<M> {
  readonly start: readonly M[];
  readonly waiting: readonly Waiting<M>[];
}

class Counts {
  total = 0;
  private readonly outbound = new Map<string, number>();
  private readonly inbound = new Map<string, number>();

  add(source: string | undefined, target: string | undefined): void {
    this.total += 1;
    if (source !== undefined) this.outbound.set(source, this.outOf(source) + 1);
    if (target !== undefined) this.inbound.set(target, this.into(target) + 1);
  }

  outOf(node: string): number {
    return this.outbound.get(node) ?? 0;
  }

  into(node: string): number {
    return this.inbound.get(node) ?? 0;
  }
}

interface Busy {
  readonly migrating: ReadonlySet<string>;
  /** VMs of pending moves not started yet. */
  readonly unstarted: ReadonlySet<string>;
}

function whyWait(move: PendingMove, counts: Counts, busy: Busy): string | undefined {
  if (busy.migrating.has(move.vm)) return "the VM is already migrating";
  const blocker = move.after.find((vm) => busy.migrating.has(vm) || busy.unstarted.has(vm));
  if (blocker !== undefined) return `waits for ${blocker} to finish moving`;
  const { limits } = move;
  if (counts.total >= limits.cluster) return `${counts.total} migrations in flight (cluster limit ${limits.cluster})`;
  if (counts.outOf(move.from) >= limits.outboundPerNode)
    return `${move.from} already sends ${counts.outOf(move.from)} (limit ${limits.outboundPerNode})`;
  if (counts.into(move.to) >= limits.inboundPerNode)
    return `${move.to} already receives ${counts.into(move.to)} (limit ${limits.inboundPerNode})`;
  return undefined;
}

/** Admits moves in plan order; a move that depends on one not started or not finished waits. */
export function admitMoves<M extends PendingMove>(
  pending: readonly M[],
  active: readonly ActiveMigration[],
): Admission<M> {
  const counts = new Counts();
  const migrating = new Set<string>();
  for (const migration of active) {
    counts.add(migration.source, migration.target);
    migrating.add(migration.vm);
  }
  const unstarted = new Set(pending.map((move) => move.vm));
  const start: M[] = [];
  const waiting: Waiting<M>[] = [];
  for (const move of pending) {
    const reason = whyWait(move, counts, { migrating, unstarted });
    if (reason !== undefined) {
      waiting.push({ move, reason });
      continue;
    }
    start.push(move);
    counts.add(move.from, move.to);
    migrating.add(move.vm);
    unstarted.delete(move.vm);
  }
  return { start, waiting };
}
