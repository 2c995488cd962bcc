/**
 * The controller's Prometheus metrics, all named kubedrs_*, registered in a registry the caller
 * owns: never prom-client's global one, so two controllers (or a controller and a twin) in one
 * process do not collide. Callers go through typed methods and never spell a label name.
 *
 * Counters start at zero for every known label combination, so rate() and alerts see a series
 * from the first scrape rather than only after the first event. A value that is not a finite
 * number is dropped: a metric must never be what breaks a control loop.
 */
import { Counter, Gauge, Histogram, type Registry } from "prom-client";

export const METRIC_PREFIX = "kubedrs_";

export const MIGRATION_OUTCOMES = ["succeeded", "failed", "cancelled", "misplaced", "aborted"] as const;
export const MIGRATION_REASONS = ["balance", "rule", "evacuate"] as const;
export const PASS_RESULTS = ["planned", "skipped", "failed"] as const;
export const POLICY_LOAD_RESULTS = ["accepted", "rejected"] as const;

export type MigrationOutcome = (typeof MIGRATION_OUTCOMES)[number];
export type MigrationReason = (typeof MIGRATION_REASONS)[number];
export type PassResult = (typeof PASS_RESULTS)[number];

/** A live migration takes seconds (a small idle guest) to tens of minutes (a large guest dirtying memory fast). */
export const MIGRATION_DURATION_BUCKETS = [5, 10, 20, 30, 60, 120, 300, 600, 900, 1200, 1800];
/** Planning a pass is pure computation: a millisecond for a small cluster, seconds for thousands of VMs. */
export const PLAN_DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface ControllerMetrics {
  /** The policy's current imbalance and the target it balances towards. */
  setImbalance(policy: string, imbalance: number, target: number): void;
  /** Requested (or used) share of the node's allocatable CPU and memory, 0..1. */
  setNodeUtilization(node: string, cpu: number, memory: number): void;
  /** Drops the utilization series of every node not in `present` (nodes removed from the cluster). */
  resetNodeUtilization(present: Iterable<string>): void;
  /** Drops the imbalance and pending-recommendation series of every policy not in `present`. */
  resetPolicies(present: Iterable<string>): void;
  migrationFinished(outcome: MigrationOutcome, reason: MigrationReason, seconds: number): void;
  /** Set from the executor's own count, so a restart or a lost update cannot make it drift. */
  setMigrationsInFlight(count: number): void;
  observePlanDuration(seconds: number): void;
  passFinished(result: PassResult): void;
  /** Moves planned but not executed: Recommend mode, or waiting for a slot. */
  setPendingRecommendations(policy: string, count: number): void;
  policyAccepted(): void;
  /** A policy load was refused with `errors` validation errors; the previous policies stay in force. */
  policyRejected(errors: number): void;
  setLeader(leading: boolean): void;
}

export function createControllerMetrics(registry: Registry): ControllerMetrics {
  const m = registerMetrics(registry);
  const nodes = new Set<string>();
  const policies = new Set<string>();
  zeroCounters(m);
  return {
    setImbalance(policy, imbalance, target) {
      policies.add(policy);
      setGauge(m.imbalance, { policy }, imbalance);
      setGauge(m.imbalanceTarget, { policy }, target);
    },
    setNodeUtilization(node, cpu, memory) {
      nodes.add(node);
      setGauge(m.nodeUtilization, { node, resource: "cpu" }, cpu);
      setGauge(m.nodeUtilization, { node, resource: "memory" }, memory);
    },
    resetNodeUtilization(present) {
      for (const node of gone(nodes, present)) {
        m.nodeUtilization.remove({ node, resource: "cpu" });
        m.nodeUtilization.remove({ node, resource: "memory" });
      }
    },
    resetPolicies(present) {
      for (const policy of gone(policies, present)) {
        for (const gauge of [m.imbalance, m.imbalanceTarget, m.pendingRecommendations]) gauge.remove({ policy });
      }
    },
    migrationFinished(outcome, reason, seconds) {
      m.migrations.inc({ outcome, reason });
      if (Number.isFinite(seconds)) m.migrationDuration.observe({ outcome }, Math.max(0, seconds));
    },
    setMigrationsInFlight: (count) => setGauge(m.migrationsInFlight, {}, count),
    observePlanDuration(seconds) {
      if (Number.isFinite(seconds)) m.planDuration.observe(Math.max(0, seconds));
    },
    passFinished: (result) => m.passes.inc({ result }),
    setPendingRecommendations(policy, count) {
      policies.add(policy);
      setGauge(m.pendingRecommendations, { policy }, count);
    },
    policyAccepted() {
      m.policyReloads.inc({ result: "accepted" });
      m.policyErrors.set(0);
    },
    policyRejected(errors) {
      m.policyReloads.inc({ result: "rejected" });
      setGauge(m.policyErrors, {}, errors);
    },
    setLeader: (leading) => m.leader.set(leading ? 1 : 0),
  };
}

interface Metrics {
  readonly imbalance: Gauge<"policy">;
  readonly imbalanceTarget: Gauge<"policy">;
  readonly nodeUtilization: Gauge<"node" | "resource">;
  readonly migrations: Counter<"outcome" | "reason">;
  readonly migrationDuration: Histogram<"outcome">;
  readonly migrationsInFlight: Gauge;
  readonly planDuration: Histogram;
  readonly passes: Counter<"result">;
  readonly pendingRecommendations: Gauge<"policy">;
  readonly policyErrors: Gauge;
  readonly policyReloads: Counter<"result">;
  readonly leader: Gauge;
}

function registerMetrics(registry: Registry): Metrics {
  const registers = [registry];
  const name = (suffix: string): string => `${METRIC_PREFIX}${suffix}`;
  return {
    imbalance: new Gauge({
      name: name("imbalance"),
      help: "Current imbalance of the nodes a balance policy covers.",
      labelNames: ["policy"] as const,
      registers,
    }),
    imbalanceTarget: new Gauge({
      name: name("imbalance_target"),
      help: "Imbalance the policy balances towards; no moves are planned below it.",
      labelNames: ["policy"] as const,
      registers,
    }),
    nodeUtilization: new Gauge({
      name: name("node_utilization"),
      help: "Share of the node's allocatable resource in use, 0 to 1.",
      labelNames: ["node", "resource"] as const,
      registers,
    }),
    migrations: new Counter({
      name: name("migrations_total"),
      help: "Live migrations kubedrs started that have ended, by outcome and by why they were started.",
      labelNames: ["outcome", "reason"] as const,
      registers,
    }),
    migrationDuration: new Histogram({
      name: name("migration_duration_seconds"),
      help: "Time from creating a migration to its end, by outcome.",
      labelNames: ["outcome"] as const,
      buckets: MIGRATION_DURATION_BUCKETS,
      registers,
    }),
    migrationsInFlight: new Gauge({
      name: name("migrations_in_flight"),
      help: "Live migrations kubedrs started that have not ended yet.",
      registers,
    }),
    planDuration: new Histogram({
      name: name("plan_duration_seconds"),
      help: "Time to plan one balancing pass.",
      buckets: PLAN_DURATION_BUCKETS,
      registers,
    }),
    passes: new Counter({
      name: name("passes_total"),
      help: "Balancing passes, by result.",
      labelNames: ["result"] as const,
      registers,
    }),
    pendingRecommendations: new Gauge({
      name: name("pending_recommendations"),
      help: "Moves planned but not executed (Recommend mode, or waiting for a migration slot).",
      labelNames: ["policy"] as const,
      registers,
    }),
    policyErrors: new Gauge({
      name: name("policy_errors"),
      help: "Validation errors in the last rejected policy load; 0 after a load is accepted.",
      registers,
    }),
    policyReloads: new Counter({
      name: name("policy_reloads_total"),
      help: "Policy loads, by whether they were accepted or rejected.",
      labelNames: ["result"] as const,
      registers,
    }),
    leader: new Gauge({
      name: name("leader"),
      help: "1 while this replica holds the leader lease, else 0.",
      registers,
    }),
  };
}

function zeroCounters(m: Metrics): void {
  for (const outcome of MIGRATION_OUTCOMES) {
    for (const reason of MIGRATION_REASONS) m.migrations.inc({ outcome, reason }, 0);
  }
  for (const result of PASS_RESULTS) m.passes.inc({ result }, 0);
  for (const result of POLICY_LOAD_RESULTS) m.policyReloads.inc({ result }, 0);
}

function setGauge<T extends string>(gauge: Gauge<T>, labels: Partial<Record<T, string>>, value: number): void {
  if (Number.isFinite(value)) gauge.set(labels, value);
}

/** Removes from `known` and returns the names not in `present`. */
function gone(known: Set<string>, present: Iterable<string>): string[] {
  const keep = new Set(present);
  const removed = [...known].filter((name) => !keep.has(name));
  for (const name of removed) known.delete(name);
  return removed;
}
