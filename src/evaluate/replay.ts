/**
 * The in-process trace replay (issue 7): one strategy, one day of traces, one cluster. Each trace step
 * (5 minutes for PlanetLab) sets every VM's CPU demand; the strategy decides on its own cadence from
 * what a metrics pipeline would show by then; its migrations run under KubeVirt's limits and the
 * live-migration model (migration-runner.ts); node utilization is weighed by how long each placement
 * lasted within the step. Every strategy gets the same workload, the same start and the same rules.
 *
 * Deterministic but for the decision times, which the injected clock measures.
 */
import { KUBEVIRT_LIMITS, type MigrationLimits, MigrationRunner, type RunnerWorld } from "./migration-runner.ts";
import type { ReplayInput } from "./replay-metrics.ts";
import type { ReplayHost, ReplayState, ReplayStrategy, ReplayVm } from "./replay-types.ts";

export interface ReplayWorkload {
  readonly name: string;
  /** The trace day, e.g. "20110303". */
  readonly day: string;
  readonly start: number;
  readonly stepMs: number;
  readonly steps: number;
  readonly hosts: readonly ReplayHost[];
  readonly vms: readonly ReplayVm[];
  /** demand[vm][step]: the VM's CPU use at that step as a share of its vCPUs (the trace sample). */
  readonly demand: readonly Float64Array[];
  /** Where each VM runs when the replay starts. */
  readonly initialHostOf: Int32Array;
}

export interface ReplayOptions {
  /** Wall-clock milliseconds, for decision times only (performance.now). */
  readonly clock: () => number;
  /**
   * How long after a step starts its level shows in metrics: metrics-server's and Prometheus'
   * scrape-and-average delay. Strategies decide this long into each step.
   */
  readonly metricsLagMs?: number;
  readonly limits?: MigrationLimits;
  /** Replays only the first `steps` trace steps (a window from the start); the whole workload when unset. */
  readonly steps?: number;
}

export interface ReplayRun {
  readonly input: ReplayInput;
  readonly decisionMs: readonly number[];
  /** utilization[step × hosts + host]: the host's time-weighted CPU use over capacity in that step. */
  readonly utilization: Float32Array;
}

export const DEFAULT_METRICS_LAG_MS = 60_000;

/** The moving parts of one replay: placement, the hosts' current demand and its time-weighted sum. */
class Cluster {
  readonly hostOf: Int32Array;
  private readonly demandNow: Float64Array;
  private readonly demandTime: Float64Array;
  private accountedUntil: number;
  private step = 0;
  private readonly workload: ReplayWorkload;

  constructor(workload: ReplayWorkload) {
    this.workload = workload;
    this.hostOf = workload.initialHostOf.slice();
    this.demandNow = new Float64Array(workload.hosts.length);
    this.demandTime = new Float64Array(workload.hosts.length);
    this.accountedUntil = workload.start;
  }

  cpu(vm: number, step: number): number {
    return (this.workload.demand[vm]?.[step] ?? 0) * (this.workload.vms[vm]?.vcpus ?? 0);
  }

  /** Enters a step: every VM's demand changes to the step's sample. */
  enter(step: number): void {
    this.step = step;
    this.demandNow.fill(0);
    this.workload.vms.forEach((_, vm) => {
      const host = this.hostOf[vm] ?? 0;
      this.demandNow[host] = (this.demandNow[host] ?? 0) + this.cpu(vm, step);
    });
  }

  /** Adds each host's demand × time since the last account. */
  account(until: number): void {
    const span = until - this.accountedUntil;
    if (span <= 0) return;
    this.demandNow.forEach((demand, host) => {
      this.demandTime[host] = (this.demandTime[host] ?? 0) + demand * span;
    });
    this.accountedUntil = until;
  }

  move(vm: number, to: number, at: number): void {
    this.account(at);
    const from = this.hostOf[vm] ?? 0;
    const cpu = this.cpu(vm, this.step);
    this.demandNow[from] = (this.demandNow[from] ?? 0) - cpu;
    this.demandNow[to] = (this.demandNow[to] ?? 0) + cpu;
    this.hostOf[vm] = to;
  }

  /** Closes the step: each host's mean utilization over it, written into `into` at `offset`. */
  close(end: number, into: Float32Array, offset: number): void {
    this.account(end);
    const { hosts, stepMs } = this.workload;
    hosts.forEach((host, index) => {
      into[offset + index] = (this.demandTime[index] ?? 0) / stepMs / host.cores;
    });
    this.demandTime.fill(0);
  }

  world(): RunnerWorld {
    return {
      hosts: this.workload.hosts,
      vms: this.workload.vms,
      hostOf: this.hostOf,
      cpuNow: (vm) => this.cpu(vm, this.step),
      moved: (vm, to, at) => this.move(vm, to, at),
    };
  }
}

interface StateArgs {
  readonly workload: ReplayWorkload;
  readonly cluster: Cluster;
  readonly runner: MigrationRunner;
  readonly now: number;
  readonly lastVisibleStep: number;
}

function stateAt({ workload, cluster, runner, now, lastVisibleStep }: StateArgs): ReplayState {
  return {
    now,
    stepMs: workload.stepMs,
    hosts: workload.hosts,
    vms: workload.vms,
    hostOf: cluster.hostOf,
    cpuHistory(vm, samples) {
      const first = Math.max(0, lastVisibleStep - samples + 1);
      const history: number[] = [];
      for (let step = first; step <= lastVisibleStep; step += 1) history.push(cluster.cpu(vm, step));
      return history;
    },
    migrating: runner.migrating,
    migrations: runner.records,
  };
}

function requestedCpuSeconds(workload: ReplayWorkload, cluster: Cluster, steps: number): Map<string, number> {
  const requested = new Map<string, number>();
  workload.vms.forEach((vm, index) => {
    let total = 0;
    for (let step = 0; step < steps; step += 1) total += cluster.cpu(index, step);
    requested.set(vm.key, (total * workload.stepMs) / 1000);
  });
  return requested;
}

export function runReplay(workload: ReplayWorkload, strategy: ReplayStrategy, options: ReplayOptions): ReplayRun {
  const lag = options.metricsLagMs ?? DEFAULT_METRICS_LAG_MS;
  const steps = Math.min(workload.steps, options.steps ?? workload.steps);
  const cluster = new Cluster(workload);
  const runner = new MigrationRunner(cluster.world(), options.limits ?? KUBEVIRT_LIMITS);
  const utilization = new Float32Array(steps * workload.hosts.length);
  const decisionMs: number[] = [];
  let nextDecision = workload.start + lag;
  for (let step = 0; step < steps; step += 1) {
    const stepEnd = workload.start + (step + 1) * workload.stepMs;
    cluster.enter(step);
    for (; nextDecision < stepEnd; nextDecision += strategy.intervalMs) {
      runner.advanceTo(nextDecision);
      const lastVisibleStep = Math.floor((nextDecision - lag - workload.start) / workload.stepMs);
      const state = stateAt({ workload, cluster, runner, now: nextDecision, lastVisibleStep });
      const started = options.clock();
      const moves = strategy.decide(state);
      decisionMs.push(options.clock() - started);
      runner.submit(moves, nextDecision);
    }
    runner.advanceTo(stepEnd);
    cluster.close(stepEnd, utilization, step * workload.hosts.length);
  }
  const samples = Array.from({ length: steps }, (_, step) => ({
    at: workload.start + step * workload.stepMs,
    nodes: workload.hosts.map((_, host) => ({
      utilization: utilization[step * workload.hosts.length + host] ?? 0,
      active: true,
    })),
  }));
  return {
    input: {
      samples,
      stepMs: workload.stepMs,
      migrations: runner.records,
      requestedCpuSeconds: requestedCpuSeconds(workload, cluster, steps),
    },
    decisionMs,
    utilization,
  };
}
