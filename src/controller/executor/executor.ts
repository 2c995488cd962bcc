/**
 * The executor turns a plan's moves into live migrations and follows each to its end. It starts a
 * move only when the limits allow (core/execute/admission), one VMIM per move with the target node
 * pinned, and checks where the VM landed. A migration that runs past its deadline is cancelled; a
 * failed one puts its VM in backoff and drops the moves planned on top of it. It keeps no state that
 * matters across restarts: everything in flight is found again by label in the cache and followed,
 * and a VM with any live migration is never given another.
 */
import { KubeApiError } from "../../adapters/kube/client/api-client.ts";
import type { PlannedMove } from "../../core/balance/plan-types.ts";
import {
  type ActiveMigration,
  type MigrationLimits,
  type PendingMove,
  admitMoves,
} from "../../core/execute/admission.ts";
import type { ClusterCache } from "../cache/cluster-cache.ts";
import type { Clock } from "../clock.ts";
import { type EventRecorder, vmiTarget } from "./event-recorder.ts";
import type { ApiClient } from "../../adapters/kube/client/api-client.ts";
import { deadlineFor, migrationName, migrationObject, type ObservedMigration, observeMigration } from "./vmim.ts";

export type MigrationOutcome = "succeeded" | "failed" | "cancelled" | "misplaced" | "aborted";

export interface ExecutorMetrics {
  migrationFinished(outcome: MigrationOutcome, kind: string, seconds: number): void;
  setInFlight(count: number): void;
}

export interface ExecutorLog {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
}

export interface ExecutorOptions {
  readonly api: ApiClient;
  readonly cache: ClusterCache;
  readonly clock: Clock;
  readonly events: EventRecorder;
  readonly metrics: ExecutorMetrics;
  readonly log: ExecutorLog;
  /** Told of every VM that landed where planned, for the anti-thrash memory. */
  readonly onMoved?: (vm: string, from: string, at: number) => void;
}

/** Evacuation moves start before balance moves: a node waiting for maintenance outranks an uneven cluster. */
export type Lane = "evacuate" | "balance";

interface QueuedMove extends PendingMove {
  readonly move: PlannedMove;
  readonly planName: string;
  readonly lane: Lane;
}

interface Tracked {
  readonly key: string;
  readonly vm: string;
  readonly kind: string;
  readonly from: string | undefined;
  readonly to: string | undefined;
  readonly startedAt: number;
  readonly deadline: number | undefined;
  /** Seen in the cache at least once (a fresh create may not have arrived yet). */
  seen: boolean;
  cancelling: boolean;
}

/** How long a create may take to show up in the cache before kubedrs stops waiting for it. */
const UNSEEN_GRACE_MS = 60_000;
const FIRST_BACKOFF_MS = 10 * 60_000;
/** An evacuation retries sooner (and is re-planned away from the target that failed): the node is waiting. */
const FIRST_EVACUATION_BACKOFF_MS = 30_000;
const MAX_BACKOFF_MS = 6 * 3_600_000;
const RETRY_CREATE_MS = 5_000;

export interface MoveBatch {
  readonly planName: string;
  readonly moves: readonly PlannedMove[];
  /** The moves that may start now; the rest are dropped, and so are the moves that depend on them. */
  readonly runnable: ReadonlySet<PlannedMove>;
  readonly limitsOf: (move: PlannedMove) => MigrationLimits;
  readonly lane?: Lane;
  /** The plan name a move's VMIM name derives from, when it differs per move (a retry after a failure). */
  readonly planNameOf?: (move: PlannedMove) => string;
}

export interface AdoptResult {
  readonly queued: number;
  readonly dropped: readonly { vm: string; reason: string }[];
}

export class MigrationExecutor {
  private readonly options: ExecutorOptions;
  private queue: QueuedMove[] = [];
  private readonly tracked = new Map<string, Tracked>();
  /** VMIMs whose outcome is recorded, or that had ended before this process first looked. */
  private readonly accounted = new Set<string>();
  private readonly backoff = new Map<string, { failures: number; until: number }>();
  private readonly failedTo = new Map<string, Set<string>>();
  private firstLook = true;
  private retryAt = 0;
  private ticking: Promise<void> | undefined;

  constructor(options: ExecutorOptions) {
    this.options = options;
  }

  /**
   * Replaces the moves of one lane waiting to start with those of a new plan that may run now. A move
   * planned on top of one that may not run (or is backing off) is dropped too: its premise does not hold.
   */
  adopt(batch: MoveBatch): AdoptResult {
    const { planName, moves, runnable, limitsOf, lane = "balance" } = batch;
    const now = this.options.clock.now();
    const dropped: { vm: string; reason: string }[] = [];
    const queue: QueuedMove[] = [];
    const skipped = new Set<number>();
    moves.forEach((move, index) => {
      const reason = this.whyNotQueue(move, runnable, skipped, now);
      if (reason !== undefined) {
        skipped.add(index);
        if (runnable.has(move)) dropped.push({ vm: move.vm, reason });
        return;
      }
      const after = move.dependsOn.map((at) => moves[at]?.vm).filter((vm): vm is string => vm !== undefined);
      const name = batch.planNameOf?.(move) ?? planName;
      queue.push({
        vm: move.vm,
        from: move.from,
        to: move.to,
        limits: limitsOf(move),
        after,
        move,
        planName: name,
        lane,
      });
    });
    const others = this.queue.filter((queued) => queued.lane !== lane && !queue.some((mine) => mine.vm === queued.vm));
    this.queue = lane === "evacuate" ? [...queue, ...others] : [...others, ...queue];
    return { queued: queue.length, dropped };
  }

  private whyNotQueue(
    move: PlannedMove,
    runnable: ReadonlySet<PlannedMove>,
    skipped: ReadonlySet<number>,
    now: number,
  ): string | undefined {
    if (!runnable.has(move)) return "not to be executed now";
    const until = this.backoff.get(move.vm)?.until ?? 0;
    if (until > now) return `backing off after a failed migration until ${new Date(until).toISOString()}`;
    if (move.dependsOn.some((index) => skipped.has(index))) return "it depends on a move that will not run now";
    return undefined;
  }

  /** Forgets the moves not started yet (leadership lost, automation turned off); in-flight ones go on. */
  clear(): void {
    this.queue = [];
  }

  /** One round: follow what is in flight, cancel what stalled, start what the limits allow. Never overlaps. */
  tick(): Promise<void> {
    this.ticking ??= this.round().finally(() => (this.ticking = undefined));
    return this.ticking;
  }

  private async round(): Promise<void> {
    const now = this.options.clock.now();
    const observed = this.observe();
    await this.follow(observed, now);
    await this.cancelStalled(now);
    await this.startAdmitted(observed, now);
    this.options.metrics.setInFlight(this.tracked.size);
  }

  private observe(): Map<string, ObservedMigration> {
    const observed = new Map<string, ObservedMigration>();
    for (const object of this.options.cache.list("vmims")) {
      const migration = observeMigration(object);
      if (migration) observed.set(migration.key, migration);
    }
    return observed;
  }

  private async follow(observed: ReadonlyMap<string, ObservedMigration>, now: number): Promise<void> {
    for (const migration of observed.values()) {
      if (migration.byKubedrs && !this.accounted.has(migration.key)) await this.followOne(migration, now);
    }
    for (const tracked of [...this.tracked.values()]) {
      if (observed.has(tracked.key)) continue;
      if (tracked.seen || now - tracked.startedAt > UNSEEN_GRACE_MS) await this.vanished(tracked, now);
    }
    this.firstLook = false;
  }

  private async followOne(migration: ObservedMigration, now: number): Promise<void> {
    const tracked = this.tracked.get(migration.key);
    if (tracked) tracked.seen = true;
    if (migration.final && tracked) await this.finish(tracked, migration, now);
    else if (migration.final) this.accounted.add(migration.key);
    else if (!tracked) this.resume(migration);
  }

  /** A live migration kubedrs started before (this process or a previous leader): follow it. */
  private resume(migration: ObservedMigration): void {
    this.tracked.set(migration.key, {
      key: migration.key,
      vm: migration.vm,
      kind: migration.kind,
      from: migration.source,
      to: migration.target,
      startedAt: migration.createdAt,
      deadline: migration.deadline,
      seen: true,
      cancelling: false,
    });
    if (!this.firstLook) return;
    this.options.log.info(
      { vmim: migration.key, vm: migration.vm, phase: migration.phase },
      "following a migration in flight",
    );
  }

  private landedOn(vm: string): string | undefined {
    const vmi = this.options.cache.get("vmis", vm) as { status?: { nodeName?: string } } | undefined;
    return vmi?.status?.nodeName;
  }

  private async finish(tracked: Tracked, migration: ObservedMigration, now: number): Promise<void> {
    const endedAt = migration.endedAt ?? now;
    const seconds = Math.max(0, (endedAt - tracked.startedAt) / 1000);
    if (migration.phase === "Succeeded") return this.succeeded(tracked, seconds, endedAt);
    await this.record(tracked, tracked.cancelling ? "cancelled" : "failed", seconds, `ended ${migration.phase}`);
    this.failed({ vm: tracked.vm, kind: tracked.kind, to: tracked.to }, now);
  }

  /** Succeeded is not enough: the VM must be on the node kubedrs chose. */
  private async succeeded(tracked: Tracked, seconds: number, endedAt: number): Promise<void> {
    const node = this.landedOn(tracked.vm) ?? "?";
    const onTarget = tracked.to === undefined || node === tracked.to;
    const detail = onTarget ? `landed on ${node}` : `landed on ${node}, not ${tracked.to ?? "?"}`;
    await this.record(tracked, onTarget ? "succeeded" : "misplaced", seconds, detail);
    this.backoff.delete(tracked.vm);
    this.failedTo.delete(tracked.vm);
    if (onTarget && tracked.from !== undefined) this.options.onMoved?.(tracked.vm, tracked.from, endedAt);
  }

  private async vanished(tracked: Tracked, now: number): Promise<void> {
    const outcome: MigrationOutcome = tracked.cancelling ? "cancelled" : "aborted";
    await this.record(tracked, outcome, (now - tracked.startedAt) / 1000, "its VMIM was deleted before it ended");
    this.failed({ vm: tracked.vm, kind: tracked.kind, to: tracked.to }, now);
  }

  /** The targets a VM's migrations failed to (since it last moved), so an evacuation re-plans it elsewhere. */
  failedTargets(vm: string): readonly string[] {
    return [...(this.failedTo.get(vm) ?? [])];
  }

  /** Backoff for the VM, and the moves planned on top of this one no longer hold. */
  private failed(move: { vm: string; kind: string; to: string | undefined }, now: number): void {
    const { vm } = move;
    const failures = (this.backoff.get(vm)?.failures ?? 0) + 1;
    const first = move.kind === "evacuate" ? FIRST_EVACUATION_BACKOFF_MS : FIRST_BACKOFF_MS;
    const wait = Math.min(MAX_BACKOFF_MS, first * 2 ** (failures - 1));
    this.backoff.set(vm, { failures, until: now + wait });
    if (move.to !== undefined) this.failedTo.set(vm, new Set([...(this.failedTo.get(vm) ?? []), move.to]));
    const dropped = new Set([vm]);
    let grew = true;
    while (grew) {
      const before = dropped.size;
      for (const queued of this.queue)
        if (queued.after.some((dependency) => dropped.has(dependency))) dropped.add(queued.vm);
      grew = dropped.size > before;
    }
    this.queue = this.queue.filter((queued) => !dropped.has(queued.vm));
  }

  private async record(tracked: Tracked, outcome: MigrationOutcome, seconds: number, detail: string): Promise<void> {
    this.tracked.delete(tracked.key);
    this.accounted.add(tracked.key);
    this.options.metrics.migrationFinished(outcome, tracked.kind, seconds);
    const good = outcome === "succeeded";
    const route = `${tracked.from ?? "?"} → ${tracked.to ?? "?"}`;
    this.options.log[good ? "info" : "warn"](
      { vmim: tracked.key, vm: tracked.vm, outcome, seconds },
      `migration ${outcome}`,
    );
    const reason = {
      succeeded: "Migrated",
      failed: "MigrationFailed",
      cancelled: "MigrationCancelled",
      misplaced: "MigratedElsewhere",
      aborted: "MigrationAborted",
    }[outcome];
    await this.options.events.record(
      vmiTarget(tracked.vm),
      good ? "Normal" : "Warning",
      reason,
      `kubedrs migration ${tracked.key.split("/")[1] ?? ""} (${route}) ${outcome} after ${Math.round(seconds)}s: ${detail}`,
    );
  }

  private async cancelStalled(now: number): Promise<void> {
    for (const tracked of this.tracked.values()) {
      if (!tracked.seen || tracked.cancelling || tracked.deadline === undefined || now < tracked.deadline) continue;
      tracked.cancelling = true;
      const [namespace, name] = tracked.key.split("/");
      try {
        await this.options.api.delete(
          `/apis/kubevirt.io/v1/namespaces/${namespace}/virtualmachineinstancemigrations/${name}`,
        );
        this.options.log.warn({ vmim: tracked.key, vm: tracked.vm }, "migration ran past its deadline; cancelled");
      } catch (error) {
        if (!(error instanceof KubeApiError && error.status === 404)) tracked.cancelling = false;
      }
    }
  }

  private activeMigrations(observed: ReadonlyMap<string, ObservedMigration>): ActiveMigration[] {
    const active: ActiveMigration[] = [];
    for (const migration of observed.values())
      if (!migration.final) active.push({ vm: migration.vm, source: migration.source, target: migration.target });
    for (const tracked of this.tracked.values())
      if (!tracked.seen) active.push({ vm: tracked.vm, source: tracked.from, target: tracked.to });
    return active;
  }

  /** A queued move whose VM has gone or moved since the plan no longer applies. */
  private stillValid(queued: QueuedMove): boolean {
    return this.landedOn(queued.vm) === queued.from;
  }

  private async startAdmitted(observed: ReadonlyMap<string, ObservedMigration>, now: number): Promise<void> {
    this.queue = this.queue.filter((queued) => this.stillValid(queued));
    if (now < this.retryAt || this.queue.length === 0) return;
    const { start } = admitMoves(this.queue, this.activeMigrations(observed));
    for (const queued of start) {
      const result = await this.create(queued, now);
      if (result === "retry") return;
      this.queue = this.queue.filter((other) => other !== queued);
    }
  }

  private async create(queued: QueuedMove, now: number): Promise<"started" | "rejected" | "retry"> {
    const object = migrationObject(queued.move, queued.planName, now);
    const metadata = object.metadata as { name: string; namespace: string };
    const path = `/apis/kubevirt.io/v1/namespaces/${metadata.namespace}/virtualmachineinstancemigrations`;
    try {
      await this.options.api.create(path, object);
    } catch (error) {
      return this.createFailed(queued, error, now);
    }
    return this.started(queued, `${metadata.namespace}/${metadata.name}`, now);
  }

  private async started(queued: QueuedMove, key: string, now: number): Promise<"started"> {
    const { move } = queued;
    this.tracked.set(key, {
      key,
      vm: move.vm,
      kind: move.kind,
      from: move.from,
      to: move.to,
      startedAt: now,
      deadline: deadlineFor(move, now),
      seen: false,
      cancelling: false,
    });
    this.options.log.info(
      { vmim: key, vm: move.vm, from: move.from, to: move.to, kind: move.kind, gain: move.gain.points },
      "migration started",
    );
    await this.options.events.record(
      vmiTarget(move.vm),
      "Normal",
      "Migrating",
      `kubedrs live-migrates this VM from ${move.from} to ${move.to}: ${move.reasons.join("; ")}. ` +
        `Expected gain ${move.gain.points.toFixed(1)} balance points for a cost of ${move.cost.points.toFixed(1)} ` +
        `(${move.cost.summary}).`,
    );
    return "started";
  }

  private async createFailed(
    queued: QueuedMove,
    error: unknown,
    now: number,
  ): Promise<"started" | "rejected" | "retry"> {
    const { move } = queued;
    if (error instanceof KubeApiError && error.status === 409 && error.reason === "AlreadyExists") {
      // Same plan, same VM, same name: an earlier attempt got through. Follow it; never make a second.
      const name = migrationName(queued.planName, move.vm);
      return this.started(queued, `${move.vm.split("/")[0] ?? ""}/${name}`, now);
    }
    if (error instanceof KubeApiError && !error.retryable) {
      this.options.log.warn({ vm: move.vm, to: move.to, err: error.message }, "migration rejected; not retried");
      this.failed(move, now);
      await this.options.events.record(
        vmiTarget(move.vm),
        "Warning",
        "MigrationRejected",
        `kubedrs could not start a migration to ${move.to}: ${error.message}`,
      );
      return "rejected";
    }
    this.retryAt = now + RETRY_CREATE_MS;
    this.options.log.warn({ vm: move.vm, err: (error as Error).message }, "could not create the migration; will retry");
    return "retry";
  }
}
