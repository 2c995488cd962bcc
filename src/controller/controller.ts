/**
 * The controller loop, the imperative shell around the core: keep the cache in sync, sample usage,
 * run balance passes on the policies' cron schedules, hand the moves that may run to the executor,
 * publish the rest as recommendations, and tick the executor. Only the leader writes; a standby keeps
 * its cache warm so it can take over at once.
 */
import type { Logger } from "pino";
import type { ApiClient } from "../adapters/kube/client/api-client.ts";
import type { Departure } from "../core/balance/anti-thrash.ts";
import type { Plan, PlannedMove } from "../core/balance/plan-types.ts";
import { migrationLimits } from "../core/execute/limits.ts";
import type { ClusterSnapshot } from "../core/model/snapshot.ts";
import type { PolicySet } from "../core/policy/policy-set.ts";
import { failuresTolerated } from "../core/failover/capacity-reserve.ts";
import { powerQueries } from "../core/failover/detect.ts";
import { buildClusterModel } from "../core/model/cluster.ts";
import { passSeed } from "../core/numeric/rng.ts";
import { type PassResult, runBalancePass, snapshotWithUsage } from "./balance-pass.ts";
import { type FailoverMetrics, NO_FAILOVER_METRICS } from "./failover/failover-metrics.ts";
import { FailoverReconciler } from "./failover/failover-reconciler.ts";
import { MaintenanceReconciler } from "./maintenance/maintenance-reconciler.ts";
import { roundWanted } from "./round-wanted.ts";
import { type MaintenanceMetrics, NO_MAINTENANCE_METRICS } from "./maintenance/maintenance-metrics.ts";
import { ClusterCache } from "./cache/cluster-cache.ts";
import type { Clock } from "./clock.ts";
import { cronSchedule } from "./cron-schedule.ts";
import { EventRecorder, vmiTarget } from "./executor/event-recorder.ts";
import { MigrationExecutor } from "./executor/executor.ts";
import { PowerStatusReader, secretCredentials } from "./failover/power-status.ts";
import { MigrationProfiles } from "./executor/migration-profiles.ts";
import type { HeapRelease } from "./observability/heap-release.ts";
import { componentLogger } from "./observability/logger.ts";
import type { ControllerMetrics, MigrationReason } from "./observability/metrics.ts";
import { clusterMetricsSettings } from "./usage/select-source.ts";
import { historySettingsOf, UsageHistory } from "./usage/usage-history.ts";
import type { UsageSample, UsageSource } from "./usage/types.ts";
import { vmiKeysByUid } from "./usage/vmi-index.ts";
import { type LauncherPodRef, vmiByUidLabel } from "./usage/metrics-api-source.ts";

export interface ControllerOptions {
  readonly api: ApiClient;
  readonly clock: Clock;
  readonly log: Logger;
  readonly metrics: ControllerMetrics;
  /** The policy set in force (the keeper's), undefined until one loads. */
  readonly policies: () => PolicySet | undefined;
  /** The usage source for the metrics settings in force. */
  readonly usageSource: (policies: PolicySet) => UsageSource | undefined;
  readonly isLeader: () => boolean;
  readonly identity: string;
  readonly seed?: number;
  /** Virtual milliseconds between usage samples. */
  readonly sampleEveryMs?: number;
  /** Wall milliseconds between executor rounds. */
  readonly tickEveryMs?: number;
  /** Host-failure metrics; none when unset. */
  readonly failoverMetrics?: FailoverMetrics;
  /** Evacuation metrics; none when unset (tests that do not look). */
  readonly maintenanceMetrics?: MaintenanceMetrics;
  /** Told after every pass (the demo's view, tests). */
  readonly onPass?: (pass: PassReport) => void;
  /** Returns freed memory to the OS after big allocations; none when unset. */
  readonly heapRelease?: HeapRelease;
  /** The controller's own namespace, where the BMC credentials Secret lives. */
  readonly namespace: string;
}

export interface PassReport {
  readonly at: number;
  readonly plan: Plan;
  readonly snapshot: ClusterSnapshot;
  readonly executed: number;
  readonly recommended: number;
  readonly leader: boolean;
}

const DEFAULT_SAMPLE_MS = 30_000;
const DEFAULT_TICK_MS = 1_000;
/** Wall milliseconds an executor round waits at least, however often migrations change. */
const MIN_TICK_MS = 50;
/** Wall milliseconds between maintenance rounds: each builds a model of the cluster. */
const MAINTENANCE_EVERY_MS = 1_000;
/** Wall milliseconds a round waits at least after the last, however often things change: twice its cost, at least this. */
const MAINTENANCE_MIN_GAP_MS = 100;
const DEFAULT_CRON = "*/5 * * * *";
/** Departures the anti-thrash memory keeps; the planner forgets older ones anyway. */
const DEPARTURE_KEEP_MS = 2 * 86_400_000;

export class Controller {
  readonly cache: ClusterCache;
  readonly executor: MigrationExecutor;
  private readonly options: ControllerOptions;
  private readonly log: Logger;
  /** Odd objects and metrics items that were left out. */
  private readonly snapshotLog: Logger;
  private readonly profiles: MigrationProfiles;
  private readonly maintenance: MaintenanceReconciler;
  private readonly failover: FailoverReconciler;
  private readonly power: PowerStatusReader;
  private lastMaintenance = 0;
  private lastMaintenanceMs = 0;
  /** Something a maintenance round reads changed since the last round. */
  private maintenanceDue = false;
  private wake: (() => void) | undefined;
  private readonly history = new UsageHistory();
  private readonly events: EventRecorder;
  private readonly departures = new Map<string, Departure[]>();
  private readonly warned = new Set<string>();
  private readonly abort = new AbortController();
  private readonly loops: Promise<void>[] = [];
  private recommended = new Map<string, string>();
  private passes = 0;
  private lastSampleError = "";
  private latest: UsageSample | undefined;
  /** VMI keys by UID, rebuilt before each sample, to tell which VMI a launcher pod's metrics are for. */
  private vmiByUid = new Map<string, string>();

  constructor(options: ControllerOptions) {
    this.options = options;
    const log = options.log;
    this.log = componentLogger(log, "balancer");
    this.snapshotLog = componentLogger(log, "snapshot");
    this.cache = new ClusterCache({
      api: options.api,
      log: componentLogger(log, "cache"),
      resyncMs: 30 * 60_000,
      // A migration that ends frees a slot: start the next at once, not at the next tick. Node
      // changes (heartbeats among them) only mark a maintenance round due; the next tick runs it.
      onChange: (resource) => {
        if (resource === "vmims" || resource === "nodes" || resource === "nodeMaintenances") this.maintenanceDue = true;
        if (resource === "vmims" || resource === "nodeMaintenances") this.wakeExecutor();
      },
    });
    this.events = new EventRecorder({
      api: options.api,
      clock: options.clock,
      log: componentLogger(log, "events"),
      instance: options.identity,
    });
    this.executor = new MigrationExecutor({
      api: options.api,
      cache: this.cache,
      clock: options.clock,
      events: this.events,
      log: componentLogger(log, "executor"),
      metrics: {
        migrationFinished: (outcome, kind, seconds) =>
          options.metrics.migrationFinished(outcome, kind as MigrationReason, seconds),
        setInFlight: (count) => options.metrics.setMigrationsInFlight(count),
      },
      onMoved: (vm, from, at) => this.remember(vm, from, at),
    });
    this.maintenance = new MaintenanceReconciler({
      api: options.api,
      events: this.events,
      executor: this.executor,
      log: componentLogger(log, "maintenance"),
      metrics: options.maintenanceMetrics ?? NO_MAINTENANCE_METRICS,
      seed: options.seed ?? 1,
    });
    this.failover = new FailoverReconciler({
      api: options.api,
      events: this.events,
      log: componentLogger(log, "failover"),
      metrics: options.failoverMetrics ?? NO_FAILOVER_METRICS,
    });
    this.power = new PowerStatusReader({
      now: () => options.clock.now(),
      credentials: secretCredentials(options.api, options.namespace),
      // An answer is worth a round at once: a host found Off is failed now.
      onReading: () => {
        this.maintenanceDue = true;
        this.wakeExecutor();
      },
      log: componentLogger(log, "power"),
    });
    this.profiles = new MigrationProfiles({
      api: options.api,
      cache: this.cache,
      log: componentLogger(log, "profiles"),
    });
  }

  /** The VMI a launcher pod runs (metrics.k8s.io names pods, not VMIs). */
  vmiOfLauncher(pod: LauncherPodRef): string | undefined {
    return vmiByUidLabel(pod, this.vmiByUid);
  }

  /** The newest usage sample, unsmoothed (the demo's live bars). */
  latestSample(): UsageSample | undefined {
    return this.latest;
  }

  /** Why the controller cannot plan yet, or undefined when it can. */
  notReady(): string | undefined {
    const unsynced = this.cache.unsynced();
    if (unsynced.length > 0) return `waiting for the first list of ${unsynced.join(", ")}`;
    if (this.options.policies() === undefined) return "no valid policy set loaded yet";
    return undefined;
  }

  async start(): Promise<void> {
    await this.cache.start();
    this.log.info({ vmis: this.cache.size("vmis"), nodes: this.cache.size("nodes") }, "cache synced");
    // The first pass plans on measured usage, not on requests alone.
    await this.sampleOnce();
    this.loops.push(this.sampleLoop(), this.passLoop(), this.tickLoop());
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.wakeExecutor();
    await Promise.allSettled(this.loops);
    this.cache.stop();
  }

  private get signal(): AbortSignal {
    return this.abort.signal;
  }

  private remember(vm: string, from: string, at: number): void {
    const cutoff = at - DEPARTURE_KEEP_MS;
    const list = (this.departures.get(vm) ?? []).filter((departure) => Date.parse(departure.at) > cutoff);
    list.push({ node: from, at: new Date(at).toISOString() });
    this.departures.set(vm, list);
  }

  async sampleOnce(): Promise<void> {
    const policies = this.options.policies();
    const source = policies && this.options.usageSource(policies);
    if (!source) return;
    this.vmiByUid = vmiKeysByUid(this.cache.list("vmis"));
    try {
      this.latest = await source.sample(this.options.clock.now());
      this.history.record(this.latest);
      this.warnOnce(this.latest.warnings ?? []);
      this.lastSampleError = "";
    } catch (error) {
      const message = (error as Error).message;
      if (message !== this.lastSampleError)
        this.log.warn({ err: message }, "usage sample failed; planning with what is known");
      this.lastSampleError = message;
    }
  }

  private async sampleLoop(): Promise<void> {
    const every = this.options.sampleEveryMs ?? DEFAULT_SAMPLE_MS;
    while (!this.signal.aborted) {
      await this.options.clock.sleepUntil(this.options.clock.now() + every, this.signal);
      if (!this.signal.aborted) await this.sampleOnce();
      // Each sample parses metrics for every launcher pod: hand what that freed back, if over the target.
      this.options.heapRelease?.releaseAboveTarget();
    }
  }

  /** The next moment any BalancePolicy's cron schedule fires. */
  private nextPass(after: number): number {
    const policies = this.options.policies()?.balance ?? [];
    const schedules =
      policies.length > 0 ? policies.map((policy) => policy.spec.schedule) : [{ cron: DEFAULT_CRON, timeZone: "UTC" }];
    const times = schedules
      .map((schedule) => cronSchedule(schedule.cron, schedule.timeZone).next(after))
      .filter((time): time is number => time !== undefined);
    return times.length > 0 ? Math.min(...times) : after + 5 * 60_000;
  }

  /** A pass at start (as DRS runs one when it is enabled), then one at every cron time. */
  private async passLoop(): Promise<void> {
    await this.runPass();
    while (!this.signal.aborted) {
      await this.options.clock.sleepUntil(this.nextPass(this.options.clock.now()), this.signal);
      if (this.signal.aborted) return;
      await this.runPass();
    }
  }

  private async tickLoop(): Promise<void> {
    let leading = this.options.isLeader();
    while (!this.signal.aborted) {
      const leader = this.options.isLeader();
      if (leading && !leader) this.executor.clear();
      // A new leader plans at once rather than waiting for the next cron time.
      if (!leading && leader && this.passes > 0) await this.runPass();
      leading = leader;
      if (leader) await this.maintain();
      if (leader)
        await this.executor
          .tick()
          .catch((error: unknown) => this.log.error({ err: String(error) }, "executor round failed"));
      await this.tickPause(this.options.tickEveryMs ?? DEFAULT_TICK_MS);
    }
  }

  /** Waits for the next executor round: `ms`, or less when a migration changes (never under MIN_TICK_MS). */
  private async tickPause(ms: number): Promise<void> {
    const started = performance.now();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wake = undefined;
    const early = MIN_TICK_MS - (performance.now() - started);
    if (early > 0) await new Promise((resolve) => setTimeout(resolve, early));
  }

  private wakeExecutor(): void {
    this.wake?.();
  }

  /** Is a maintenance round due: something changed (and the last is long enough ago), or a second has passed? */
  private maintenanceTime(): boolean {
    const since = performance.now() - this.lastMaintenance;
    if (since < Math.max(MAINTENANCE_MIN_GAP_MS, 2 * this.lastMaintenanceMs)) return false;
    return this.maintenanceDue || since >= MAINTENANCE_EVERY_MS;
  }

  /** A maintenance round, when anything asks for one and it is time. */
  private async maintain(): Promise<void> {
    const policies = this.options.policies();
    if (!policies || this.notReady() !== undefined || !this.maintenanceTime()) return;
    const view = {
      nodes: this.cache.list("nodes"),
      leases: this.cache.list("leases"),
      nodeMaintenances: this.cache.size("nodeMaintenances"),
    };
    if (!roundWanted(view, policies, this.options.clock.now())) return;
    this.maintenanceDue = false;
    this.lastMaintenance = performance.now();
    await this.maintenanceRound(policies).catch((error: unknown) =>
      this.log.error({ err: (error as Error).stack ?? String(error) }, "maintenance round failed"),
    );
    // Rounds come every second during an evacuation or an incident: release only above the target.
    this.options.heapRelease?.releaseAboveTarget();
    this.lastMaintenanceMs = performance.now() - this.lastMaintenance;
  }

  /** One maintenance round now, on a fresh model of the cluster. */
  async maintenanceRound(policies: PolicySet): Promise<void> {
    const now = this.options.clock.now();
    const settings = historySettingsOf(clusterMetricsSettings(policies));
    const objects = this.cache.objects(new Date(now).toISOString(), `live-${new Date(now).toISOString()}`);
    const { snapshot } = snapshotWithUsage(
      { ...objects, power: this.power.current() },
      this.history.summaries(now, settings),
      this.latest,
    );
    const model = buildClusterModel(snapshot);
    // Failover first: a failed host outranks a planned maintenance.
    if (policies.failover.length > 0) {
      await this.failover.reconcile(model, policies, now, (key) => this.cache.get("vms", key) !== undefined);
      this.power.ask(powerQueries(model, policies, now));
    }
    await this.maintenance.reconcile(model, policies, now);
  }

  /** One balance pass now; returns undefined when it was skipped (not ready). */
  async runPass(): Promise<PassResult | undefined> {
    const policies = this.options.policies();
    const why = this.notReady();
    if (why !== undefined || policies === undefined) {
      this.log.info({ reason: why }, "balance pass skipped");
      this.options.metrics.passFinished("skipped");
      return undefined;
    }
    try {
      return await this.plannedPass(policies);
    } catch (error) {
      this.log.error({ err: (error as Error).stack ?? String(error) }, "balance pass failed");
      this.options.metrics.passFinished("failed");
      return undefined;
    } finally {
      this.options.heapRelease?.release();
    }
  }

  private async plannedPass(policies: PolicySet): Promise<PassResult> {
    const now = this.options.clock.now();
    this.passes += 1;
    const settings = historySettingsOf(clusterMetricsSettings(policies));
    const pass = runBalancePass(
      {
        objects: this.cache.objects(new Date(now).toISOString(), `live-${new Date(now).toISOString()}`),
        usage: this.history.summaries(now, settings),
        latest: this.latest,
        policies,
        now,
        seed: passSeed(this.options.seed ?? 1, this.passes),
        antiThrash: { departures: Object.fromEntries(this.departures) },
      },
      () => performance.now(),
    );
    this.report(pass, policies);
    this.measureReserve(pass, policies);
    const leader = this.options.isLeader();
    if (leader) await this.act(pass, policies);
    this.options.onPass?.({
      at: now,
      plan: pass.plan,
      snapshot: pass.snapshot,
      executed: pass.execute.length,
      recommended: pass.recommend.length,
      leader,
    });
    return pass;
  }

  /** HA admission control: how many host failures the protected VMs survive, after every pass. */
  private measureReserve(pass: PassResult, policies: PolicySet): void {
    if (policies.failover.length === 0) return;
    const reserve = failuresTolerated(pass.model, policies);
    this.options.failoverMetrics?.setReserve(reserve.tolerated, reserve.wanted);
    if (reserve.tolerated < reserve.wanted) this.log.warn({ ...reserve }, "failover reserve short");
  }

  /** Odd objects and unreadable metrics items, each reported once. */
  private warnOnce(warnings: readonly string[]): void {
    for (const warning of warnings) {
      if (this.warned.has(warning)) continue;
      this.warned.add(warning);
      this.snapshotLog.warn(warning);
    }
  }

  private report(pass: PassResult, policies: PolicySet): void {
    const { metrics } = this.options;
    const log = this.log;
    this.warnOnce(pass.warnings);
    metrics.observePlanDuration(pass.planSeconds);
    metrics.passFinished("planned");
    metrics.resetPolicies(policies.balance.map((policy) => policy.metadata.name));
    for (const domain of pass.plan.domains) {
      metrics.setImbalance(domain.policy, domain.imbalanceBefore, domain.triggerImbalance ?? 0);
      metrics.setPendingRecommendations(
        domain.policy,
        pass.recommend.filter((held) => held.move.policy === domain.policy).length,
      );
    }
    metrics.resetNodeUtilization(pass.snapshot.nodes.map((node) => node.name));
    for (const node of pass.snapshot.nodes) {
      const allocatable = node.allocatable ?? node.capacity;
      const cpu = node.usage ? node.usage.cpu.mean / (allocatable.cpu ?? Number.POSITIVE_INFINITY) : 0;
      const memory = node.usage ? node.usage.memory.mean / (allocatable.memory ?? Number.POSITIVE_INFINITY) : 0;
      metrics.setNodeUtilization(node.name, cpu, memory);
    }
    const { plan } = pass;
    log.info(
      {
        plan: plan.metadata.name,
        imbalance: `${plan.imbalanceBefore.toFixed(3)} → ${plan.imbalanceAfter.toFixed(3)}`,
        execute: pass.execute.length,
        recommend: pass.recommend.length,
      },
      "balance pass planned",
    );
  }

  private async act(pass: PassResult, policies: PolicySet): Promise<void> {
    await this.profiles.reconcile(policies);
    const limits = migrationLimits(
      pass.snapshot.kubevirt.migrations,
      policies.balance.map((policy) => policy.spec.limits),
    );
    const adopted = this.executor.adopt({
      planName: pass.plan.metadata.name,
      moves: pass.plan.moves,
      runnable: new Set(pass.execute),
      limitsOf: () => limits,
    });
    for (const { vm, reason } of adopted.dropped) this.log.info({ vm, reason }, "planned move not queued");
    await this.publishRecommendations(pass);
    await this.executor.tick();
  }

  /** An Event per new recommendation; one that stays the same from pass to pass is not repeated. */
  private async publishRecommendations(pass: PassResult): Promise<void> {
    const next = new Map<string, string>();
    for (const { move, reason } of pass.recommend) {
      next.set(move.vm, move.to);
      if (this.recommended.get(move.vm) === move.to) continue;
      await this.events.record(vmiTarget(move.vm), "Normal", "MigrationRecommended", recommendation(move, reason));
    }
    this.recommended = next;
  }
}

function recommendation(move: PlannedMove, heldBecause: string): string {
  return (
    `kubedrs recommends moving this VM from ${move.from} to ${move.to}: ${move.reasons.join("; ")}. ` +
    `Expected gain ${move.gain.points.toFixed(1)} for a cost of ${move.cost.points.toFixed(1)}. Not executed: ${heldBecause}.`
  );
}
