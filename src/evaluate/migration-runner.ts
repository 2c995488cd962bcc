/**
 * The replay's migrations, run as KubeVirt runs VMIMs: at most 5 at once in the cluster and 2
 * outbound per node (its defaults); the rest wait as Pending VMIMs do, first come first served.
 * Each one's duration, bytes and outcome come from kubedrs' live-migration model (predictMigration)
 * under KubeVirt's default migration settings, the model the twin runs too. A migration whose target
 * cannot take the VM's requests when it starts fails, as an unschedulable target pod does.
 *
 * Time only moves forward through `advanceTo`; the caller is told of every completion in time order,
 * so it can weigh node load by how long each placement lasted.
 */
import { DEFAULT_MIGRATION_BANDWIDTH, KUBEVIRT_MIGRATION_DEFAULTS } from "../core/model/snapshot.ts";
import { migrationParamsFor, predictMigration, resolveMigrationSettings } from "../core/migration/index.ts";
import type { MigrationRecord } from "./replay-metrics.ts";
import {
  addRequests,
  emptyRequests,
  fitsRequests,
  type HostRequests,
  type ReplayHost,
  type ReplayVm,
} from "./replay-types.ts";

export interface MigrationLimits {
  readonly perCluster: number;
  readonly outboundPerNode: number;
}

export const KUBEVIRT_LIMITS: MigrationLimits = {
  perCluster: KUBEVIRT_MIGRATION_DEFAULTS.parallelMigrationsPerCluster,
  outboundPerNode: KUBEVIRT_MIGRATION_DEFAULTS.parallelOutboundMigrationsPerNode,
};

interface Running {
  readonly vm: number;
  readonly from: number;
  readonly to: number;
  readonly startedAt: number;
  readonly endsAt: number;
  readonly bytes: number;
  readonly succeeded: boolean;
  readonly vmCpu: number;
}

export interface RunnerWorld {
  readonly hosts: readonly ReplayHost[];
  readonly vms: readonly ReplayVm[];
  readonly hostOf: Int32Array;
  /** The VM's CPU use in cores now (PDM's degradation is 10% of it while it migrates). */
  cpuNow(vm: number): number;
  /** Called at `at` once the VM runs on its new host, before any later event. */
  moved(vm: number, to: number, at: number): void;
}

/** KubeVirt's migration settings with no MigrationPolicy: what every strategy's migrations get. */
const KUBEVIRT_SETTINGS = resolveMigrationSettings({
  configuration: KUBEVIRT_MIGRATION_DEFAULTS,
  policies: [],
  vmiLabels: {},
  namespaceLabels: {},
}).settings;

function linkOf(host: ReplayHost | undefined): number {
  return host?.migrationBandwidth ?? DEFAULT_MIGRATION_BANDWIDTH;
}

interface Prediction {
  readonly seconds: number;
  readonly bytes: number;
  readonly succeeded: boolean;
}

export class MigrationRunner {
  readonly records: MigrationRecord[] = [];
  private readonly world: RunnerWorld;
  private readonly limits: MigrationLimits;
  private readonly pending: { vm: number; to: number }[] = [];
  private readonly running: Running[] = [];
  private readonly predictions = new Map<string, Prediction>();
  /** Requests per host as the scheduler sees them: placed VMs plus the target pods of running migrations. */
  private readonly requested: HostRequests;

  constructor(world: RunnerWorld, limits: MigrationLimits = KUBEVIRT_LIMITS) {
    this.world = world;
    this.limits = limits;
    this.requested = emptyRequests(world.hosts.length);
    world.vms.forEach((vm, index) => addRequests(this.requested, world.hostOf[index] ?? 0, vm));
  }

  get migrating(): ReadonlySet<number> {
    return new Set([...this.pending.map((entry) => entry.vm), ...this.running.map((entry) => entry.vm)]);
  }

  /** Queues the moves; a VM already queued or migrating, or asked to stay where it is, is ignored. */
  submit(moves: readonly { vm: number; to: number }[], now: number): void {
    const busy = new Set(this.migrating);
    for (const move of moves) {
      if (busy.has(move.vm) || this.world.hostOf[move.vm] === move.to) continue;
      busy.add(move.vm);
      this.pending.push({ vm: move.vm, to: move.to });
    }
    this.startWaiting(now);
  }

  /** Completes every migration that ends by `time`, in time order, starting waiting ones as slots free. */
  advanceTo(time: number): void {
    for (;;) {
      const next = this.nextEnding();
      if (next === undefined || next.endsAt > time) break;
      this.running.splice(this.running.indexOf(next), 1);
      this.finish(next);
      this.startWaiting(next.endsAt);
    }
  }

  private nextEnding(): Running | undefined {
    return this.running.reduce<Running | undefined>(
      (first, entry) => (first === undefined || entry.endsAt < first.endsAt ? entry : first),
      undefined,
    );
  }

  private outbound(host: number): number {
    return this.running.filter((entry) => entry.from === host).length;
  }

  private startWaiting(now: number): void {
    for (let index = 0; index < this.pending.length && this.running.length < this.limits.perCluster;) {
      const entry = this.pending[index];
      const from = entry === undefined ? -1 : (this.world.hostOf[entry.vm] ?? -1);
      if (!entry || this.outbound(from) >= this.limits.outboundPerNode) {
        index += 1;
        continue;
      }
      this.pending.splice(index, 1);
      this.start(entry, from, now);
    }
  }

  private fits(vm: ReplayVm, host: number): boolean {
    const target = this.world.hosts[host];
    return target !== undefined && fitsRequests(this.requested, target, host, vm);
  }

  private start(entry: { vm: number; to: number }, from: number, now: number): void {
    const vm = this.world.vms[entry.vm];
    if (!vm) return;
    const base = { vm: vm.key, from: this.world.hosts[from]?.name ?? "?", to: this.world.hosts[entry.to]?.name ?? "?" };
    if (!this.fits(vm, entry.to)) {
      // The target pod stays Pending and the VMIM fails: nothing is copied.
      this.records.push({ ...base, startedAt: now, endedAt: now, bytes: 0, vmCpu: 0, outcome: "failed" });
      return;
    }
    // The target pod holds its requests for the whole migration, as the scheduler sees it.
    addRequests(this.requested, entry.to, vm);
    const prediction = this.predict(vm, from, entry.to);
    this.running.push({
      vm: entry.vm,
      from,
      to: entry.to,
      startedAt: now,
      endsAt: now + prediction.seconds * 1000,
      bytes: prediction.bytes,
      succeeded: prediction.succeeded,
      vmCpu: this.world.cpuNow(entry.vm),
    });
  }

  private finish(entry: Running): void {
    const vm = this.world.vms[entry.vm];
    if (!vm) return;
    addRequests(this.requested, entry.succeeded ? entry.from : entry.to, vm, -1);
    if (entry.succeeded) this.world.moved(entry.vm, entry.to, entry.endsAt);
    this.records.push({
      vm: vm.key,
      from: this.world.hosts[entry.from]?.name ?? "?",
      to: this.world.hosts[entry.to]?.name ?? "?",
      startedAt: entry.startedAt,
      endedAt: entry.endsAt,
      bytes: entry.bytes,
      vmCpu: entry.vmCpu,
      outcome: entry.succeeded ? "succeeded" : "aborted",
    });
  }

  private predict(vm: ReplayVm, from: number, to: number): Prediction {
    const link = Math.min(linkOf(this.world.hosts[from]), linkOf(this.world.hosts[to]));
    const key = `${vm.memory}/${vm.dirtyRate}/${link}`;
    let prediction = this.predictions.get(key);
    if (!prediction) {
      const params = migrationParamsFor(
        KUBEVIRT_SETTINGS,
        { memoryBytes: vm.memory, dirtyRateBytesPerSecond: vm.dirtyRate },
        link,
      );
      const result = predictMigration(params);
      prediction = { seconds: result.durationSeconds, bytes: result.bytesTransferred, succeeded: result.succeeded };
      this.predictions.set(key, prediction);
    }
    return prediction;
  }
}
