/**
 * Leader election over a coordination.k8s.io/v1 Lease, after client-go's leaderelection (which
 * client-node lacks). Every retry period each replica reads the lease; the holder writes a new
 * renewTime, a standby writes itself in once the lease is free or has not changed for its
 * duration, and the resourceVersion makes the API server pick one winner (the other gets a 409).
 *
 * A leader counts its leadership from when it sent its last successful renewal and gives it up
 * once the renew deadline has passed, even with a request still hanging; a standby waits the
 * longer lease duration from when it saw the lease last change, so two leaders never overlap.
 * The controller asks `isLeader()` before it acts, or listens with `onChange`.
 *
 * Times are wall-clock: a lease is about this process's own liveness, not the cluster's model.
 */
import type { KubeConfig, V1Lease } from "@kubernetes/client-node";
import { type Logger, pino } from "pino";
import { type ElectionTiming, type ElectionTimingOptions, electionTiming, requireNames } from "./election-settings.ts";
import { LeaseClient, type WriteResult, messageOf } from "./lease-client.ts";
import { type Observation, claim, heldSpec, observe, readRecord, releasedSpec } from "./lease-record.ts";

export interface LeaseElectorOptions extends ElectionTimingOptions {
  readonly kubeconfig: KubeConfig;
  readonly namespace: string;
  readonly name: string;
  /** Unique per replica (the pod name); the lease's holderIdentity. */
  readonly identity: string;
  readonly logger?: Logger;
  /** Wall clock in milliseconds; tests may pass their own. */
  readonly now?: () => number;
}

export interface StopOptions {
  /**
   * Give the lease up so a standby takes over at its next retry (the default). With false the
   * lease is left to expire, as after a crash.
   */
  readonly release?: boolean;
}

export type LeadershipListener = (leading: boolean) => void;

/** What one read-and-write round came to. */
type Outcome =
  | { readonly kind: "holding" }
  | { readonly kind: "held"; readonly holder: string }
  | { readonly kind: "conflict"; readonly message: string };

export class LeaseElector {
  readonly identity: string;
  private readonly timing: ElectionTiming;
  private readonly client: LeaseClient;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly listeners = new Set<LeadershipListener>();
  private running = false;
  private leading = false;
  /** Leadership ends at this instant unless a renewal moves it on. */
  private leadingUntil = 0;
  /** The lease as last read or written (its resourceVersion is what a write must name). */
  private lease: V1Lease | undefined;
  private observation: Observation | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private deadlineTimer: NodeJS.Timeout | undefined;
  private round: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;

  constructor(options: LeaseElectorOptions) {
    requireNames({ namespace: options.namespace, name: options.name, identity: options.identity });
    this.identity = options.identity;
    this.timing = electionTiming(options);
    this.client = new LeaseClient({
      kubeconfig: options.kubeconfig,
      namespace: options.namespace,
      name: options.name,
      // A request still unanswered at the renew deadline no longer matters: leadership has lapsed.
      timeoutMs: this.timing.renewDeadlineMs,
    });
    this.now = options.now ?? Date.now;
    const root = options.logger ?? pino({ level: "silent" });
    this.log = root.child({ lease: this.client.key, identity: this.identity });
  }

  /** Starts competing for the lease; the first round runs at once. */
  start(): void {
    if (this.running) throw new Error(`leader election for ${this.client.key} is already running`);
    if (this.stopping) throw new Error(`leader election for ${this.client.key} is still stopping`);
    this.running = true;
    this.log.info({ timing: this.timing }, "leader election started");
    this.scheduleRound(0);
  }

  /**
   * Stops competing. Listeners hear `false` before the lease is released, so the controller
   * stops acting before a standby can start. Resolves once the lease is released (or left).
   */
  stop(options: StopOptions = {}): Promise<void> {
    if (this.running) {
      this.running = false;
      this.stopping = this.shutdown(options.release ?? true).finally(() => {
        this.stopping = undefined;
      });
    }
    return this.stopping ?? Promise.resolve();
  }

  /** True while this replica leads: it renewed within the renew deadline and was not stopped. */
  isLeader(): boolean {
    return this.leading && this.now() < this.leadingUntil;
  }

  /** The holder this replica last saw in the lease, if any. */
  observedHolder(): string | undefined {
    const holder = this.observation?.record.holder;
    return holder === "" ? undefined : holder;
  }

  /** Calls `listener` on every change of leadership; returns a function that unsubscribes it. */
  onChange(listener: LeadershipListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private scheduleRound(delayMs: number): void {
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.round = this.runRound().finally(() => {
        this.round = undefined;
        if (this.running) this.scheduleRound(this.timing.retryPeriodMs);
      });
    }, delayMs);
  }

  private async runRound(): Promise<void> {
    const startedAt = this.now();
    try {
      this.settle(await this.acquireOrRenew(), startedAt);
    } catch (error) {
      const message = this.leading ? "could not renew the lease" : "could not read or take the lease";
      this.log.warn({ error: messageOf(error) }, message);
    }
  }

  /** client-go's tryAcquireOrRenew: create the lease if missing, else take or renew it if allowed. */
  private async acquireOrRenew(): Promise<Outcome> {
    const seconds = this.timing.leaseDurationMs / 1000;
    const current = await this.client.read();
    if (!current) {
      return this.afterWrite(await this.client.create(heldSpec(undefined, this.identity, seconds, this.now())));
    }
    const observation = this.remember(current);
    const verdict = claim(observation, this.identity, this.now(), this.timing.leaseDurationMs);
    if (!verdict.allowed) return { kind: "held", holder: verdict.holder };
    const spec = heldSpec(observation.record, this.identity, seconds, this.now());
    return this.afterWrite(await this.client.replace(current, spec));
  }

  private afterWrite(result: WriteResult): Outcome {
    if ("conflict" in result) return { kind: "conflict", message: result.conflict };
    this.remember(result.lease);
    return { kind: "holding" };
  }

  private remember(lease: V1Lease): Observation {
    const previousHolder = this.observedHolder();
    this.lease = lease;
    this.observation = observe(this.observation, readRecord(lease), this.now());
    const holder = this.observedHolder();
    if (holder !== previousHolder && holder !== this.identity) this.log.info({ holder }, "lease holder changed");
    return this.observation;
  }

  private settle(outcome: Outcome, startedAt: number): void {
    switch (outcome.kind) {
      case "holding":
        this.renewed(startedAt);
        return;
      case "held":
        // Someone else holds a live lease while we thought we led (it was edited by hand, say).
        if (this.leading) this.stepDown(`the lease is held by ${outcome.holder}`);
        return;
      case "conflict":
        this.log.debug({ reason: outcome.message }, "another replica wrote the lease first");
    }
  }

  /** The lease names us as of a write sent at `startedAt`; we lead until the renew deadline after it. */
  private renewed(startedAt: number): void {
    const until = startedAt + this.timing.renewDeadlineMs;
    // Stopped meanwhile (stop() releases the lease), or answered too late to count.
    if (!this.running || this.now() >= until) return;
    this.leadingUntil = until;
    this.armDeadline();
    if (this.leading) return;
    this.leading = true;
    this.log.info("became the leader");
    this.emit(true);
  }

  private armDeadline(): void {
    clearTimeout(this.deadlineTimer);
    this.deadlineTimer = setTimeout(() => this.checkDeadline(), Math.max(0, this.leadingUntil - this.now()));
  }

  private checkDeadline(): void {
    this.deadlineTimer = undefined;
    if (!this.leading) return;
    if (this.now() < this.leadingUntil) this.armDeadline();
    else this.stepDown("no renewal within the renew deadline");
  }

  private stepDown(reason: string, expected = false): void {
    clearTimeout(this.deadlineTimer);
    this.deadlineTimer = undefined;
    if (!this.leading) return;
    this.leading = false;
    if (expected) this.log.info({ reason }, "stopped leading");
    else this.log.warn({ reason }, "lost leadership");
    this.emit(false);
  }

  private emit(leading: boolean): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(leading);
      } catch (error) {
        this.log.error({ error: messageOf(error), leading }, "a leadership listener failed");
      }
    }
  }

  private async shutdown(release: boolean): Promise<void> {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    await this.round;
    this.stepDown("shutting down", true);
    if (release && this.observation?.record.holder === this.identity) await this.release();
    this.log.info("leader election stopped");
  }

  /** client-go's release: clear the holder, so a standby need not wait for the lease to expire. */
  private async release(): Promise<void> {
    if (!this.lease || !this.observation) return;
    try {
      const result = await this.client.replace(this.lease, releasedSpec(this.observation.record, this.now()));
      if ("conflict" in result) {
        this.log.info({ reason: result.conflict }, "the lease changed since our last renewal; left as it is");
        return;
      }
      this.remember(result.lease);
      this.log.info("released the lease");
    } catch (error) {
      this.log.warn({ error: messageOf(error) }, "could not release the lease; a standby takes over when it expires");
    }
  }
}
