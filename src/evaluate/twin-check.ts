/**
 * The twin check (issue 7): the in-process replay set against the real controller on the twin, over
 * the same window from the same start, both judged by replay-metrics.ts. The twin comes in as an
 * outside observer saw it: node CPU counters read at the replay's step boundaries, and the
 * VirtualMachineInstanceMigrations. This module turns those into the replay's input and the two
 * runs into rows; `npm run bench -- twin-check` does the running and the reading.
 */
import { parseExposition } from "../adapters/prometheus/exposition.ts";
import type { ClusterSnapshot, SnapshotMigration } from "../core/model/snapshot.ts";
import type { MigrationRecord, ReplayInput, ReplaySample } from "./replay-metrics.ts";
import { meanUtilization, replayMetrics } from "./replay-metrics.ts";
import type { ReplayReport } from "./report-types.ts";
import type { ClusterAccounting } from "./workload.ts";

export type TwinCheck = NonNullable<ReplayReport["twinCheck"]>;
export type TwinCheckRow = TwinCheck["rows"][number];

/** Where the twin's cluster started, as the controller's snapshot of it shows: each VM's node and the requests and allocatable it counts. */
export interface ObservedStart {
  readonly nodeByVm: ReadonlyMap<string, string>;
  readonly accounting: ClusterAccounting;
}

const MILLI = 1000;

export function startFromSnapshot(snapshot: ClusterSnapshot): ObservedStart {
  const nodeByVm = new Map<string, string>();
  const requests = new Map<string, { cpu: number; memory: number }>();
  for (const vm of snapshot.vms) {
    const key = `${vm.namespace}/${vm.name}`;
    nodeByVm.set(key, vm.node);
    requests.set(key, { cpu: (vm.requests.cpu ?? 0) / MILLI, memory: vm.requests.memory ?? 0 });
  }
  const allocatable = new Map(
    snapshot.nodes.map((node) => {
      const list = node.allocatable ?? node.capacity;
      return [node.name, { cpu: (list.cpu ?? 0) / MILLI, memory: list.memory ?? 0, pods: list.pods ?? 0 }] as const;
    }),
  );
  return { nodeByVm, accounting: { allocatable, requests } };
}

/** Each node's CPU seconds in every mode but idle, from Prometheus text (node-exporter's node_cpu_seconds_total). */
export function busySecondsFromExposition(text: string): Map<string, number> {
  const busy = new Map<string, number>();
  for (const { name, labels, value } of parseExposition(text)) {
    const node = labels.node ?? labels.instance;
    if (name !== "node_cpu_seconds_total" || node === undefined || labels.mode === "idle" || !Number.isFinite(value))
      continue;
    busy.set(node, (busy.get(node) ?? 0) + value);
  }
  return busy;
}

/** Node CPU counters as read at one moment. */
export interface CpuReading {
  /** Virtual ms since the epoch that the counters stand at. */
  readonly at: number;
  /** Node → CPU seconds in use since the node started (node_cpu_seconds_total, every mode but idle). */
  readonly busySeconds: ReadonlyMap<string, number>;
}

/**
 * One sample per interval between consecutive readings: each node's mean CPU use over it, over its
 * cores (`cores`, whose order is the nodes' order). A node missing from either reading did not
 * report (off, or cut from the network) and counts as inactive there.
 */
export function samplesFromReadings(
  readings: readonly CpuReading[],
  cores: ReadonlyMap<string, number>,
): ReplaySample[] {
  return readings.slice(1).map((reading, index) => {
    const previous = readings[index] as CpuReading;
    const seconds = (reading.at - previous.at) / 1000;
    const nodes = [...cores].map(([node, count]) => {
      const before = previous.busySeconds.get(node);
      const after = reading.busySeconds.get(node);
      if (before === undefined || after === undefined || seconds <= 0 || count <= 0)
        return { utilization: 0, active: false };
      return { utilization: (after - before) / seconds / count, active: true };
    });
    return { at: previous.at, nodes };
  });
}

/**
 * The migrations that finished (Succeeded or Failed) by `until`, as the replay records them: a VM
 * key, where from and to (the requested target when a failed one never got one), created and ended.
 * Bytes and the VM's CPU are not observed and stay 0.
 */
export function migrationRecords(migrations: readonly SnapshotMigration[], until: number): MigrationRecord[] {
  return migrations
    .filter((migration) => migration.phase === "Succeeded" || migration.phase === "Failed")
    .map((migration) => {
      const startedAt = Date.parse(migration.createdAt);
      return {
        vm: `${migration.namespace}/${migration.vm}`,
        from: migration.source ?? "?",
        to: migration.target ?? migration.requestedTarget ?? "?",
        startedAt,
        endedAt: migration.endedAt === undefined ? startedAt : Date.parse(migration.endedAt),
        bytes: 0,
        vmCpu: 0,
        outcome: migration.phase === "Succeeded" ? ("succeeded" as const) : ("failed" as const),
      };
    })
    .filter((record) => record.endedAt <= until)
    .sort((a, b) => a.startedAt - b.startedAt || a.vm.localeCompare(b.vm));
}

/** How many keys the successful migrations of both runs share, each key counted once. */
function succeededInCommon(
  a: readonly MigrationRecord[],
  b: readonly MigrationRecord[],
  key: (record: MigrationRecord) => string,
): number {
  const done = (records: readonly MigrationRecord[]): Set<string> =>
    new Set(records.filter((record) => record.outcome === "succeeded").map(key));
  const other = done(b);
  return [...done(a)].filter((shared) => other.has(shared)).length;
}

/** (VM, target) pairs of the successful migrations both runs made, each pair counted once. */
export function movesInCommon(a: readonly MigrationRecord[], b: readonly MigrationRecord[]): number {
  return succeededInCommon(a, b, (record) => `${record.vm}→${record.to}`);
}

/** The VMs both runs moved successfully. */
export function vmsInCommon(a: readonly MigrationRecord[], b: readonly MigrationRecord[]): number {
  return succeededInCommon(a, b, (record) => record.vm);
}

export interface CheckedRun {
  readonly input: ReplayInput;
  readonly wallSeconds: number;
}

const PERCENT = 100;

/** The same figures of both runs, side by side: replay first, twin second. */
export function twinCheckRows(replay: CheckedRun, twin: CheckedRun): TwinCheckRow[] {
  const ours = replayMetrics(replay.input);
  const theirs = replayMetrics(twin.input);
  const row = (metric: string, pick: (run: CheckedRun, metrics: typeof ours) => number): TwinCheckRow => ({
    metric,
    replay: pick(replay, ours),
    twin: pick(twin, theirs),
  });
  return [
    row("Migrations", (_, metrics) => metrics.migrations.total),
    row("Failed migrations", (_, metrics) => metrics.migrations.failedOrAborted),
    row("Most migrations of one VM", (_, metrics) => metrics.migrations.perVmPerDay.max),
    row("Ping-pongs", (_, metrics) => metrics.pingPongs),
    row("Node-time above 80% CPU (%)", (_, metrics) => metrics.overload.above80 * PERCENT),
    row("Node-time above 90% CPU (%)", (_, metrics) => metrics.overload.above90 * PERCENT),
    row("Imbalance (time-averaged)", (_, metrics) => metrics.meanImbalance),
    row("Mean node CPU utilization (%)", (run) => meanUtilization(run.input) * PERCENT),
    row("Wall time (s)", (run) => run.wallSeconds),
  ];
}
