/**
 * A replay's state as the ClusterSnapshot kubedrs' core plans from: what the controller would build
 * from its informers and metrics at that moment. Usage is summarized as the controller does
 * (summarizeColumns with the BalancePolicy's window and smoothing) from the samples metrics would show.
 * Finished and running migrations go in as VMIMs, so the core's anti-thrash rules see the history.
 */
import { buildClusterModel, type ClusterModel } from "../core/model/cluster.ts";
import {
  type ClusterSnapshot,
  clusterSnapshotSchema,
  type ClusterSnapshotInput,
  type UsageSummary,
} from "../core/model/snapshot.ts";
import type { HistorySettings } from "../controller/usage/usage-history.ts";
import { summarizeColumns } from "../core/usage/summarize.ts";
import type { MigrationRecord } from "./replay-metrics.ts";
import type { ReplayState } from "./replay-types.ts";

/** The migration history the core reads reaches back two days (anti-thrash HISTORY_KEEP_MS). */
const HISTORY_MS = 2 * 86_400_000;

function summaryOf(values: readonly number[], state: ReplayState, settings: HistorySettings): UsageSummary | number {
  const times = values.map((_, index) => state.now - (values.length - 1 - index) * state.stepMs);
  return summarizeColumns({ times, values, length: values.length }, { ...settings, now: state.now }) ?? 0;
}

function historyLength(state: ReplayState, settings: HistorySettings): number {
  return Math.max(1, Math.ceil((settings.windowSeconds * 1000) / state.stepMs));
}

type VmInput = NonNullable<ClusterSnapshotInput["vms"]>[number];

/** Each VM's CPU history in millicores, and each host's (the sum of its VMs' at each sample). */
function cpuHistories(state: ReplayState, samples: number): { vms: number[][]; hosts: number[][] } {
  const vms = state.vms.map((_, index) => state.cpuHistory(index, samples).map((cores) => cores * 1000));
  const hosts = state.hosts.map(() => [] as number[]);
  vms.forEach((history, index) => {
    const host = hosts[state.hostOf[index] ?? 0];
    if (!host) return;
    history.forEach((value, at) => {
      host[at] = (host[at] ?? 0) + value;
    });
  });
  return { vms, hosts };
}

function vmOf(state: ReplayState, index: number, cpu: UsageSummary | number): VmInput {
  const vm = state.vms[index];
  if (!vm) throw new RangeError(`no VM ${index} in the replay`);
  return {
    ...splitKey(vm.key),
    node: state.hosts[state.hostOf[index] ?? 0]?.name ?? "?",
    requests: { cpu: vm.requests.cpu * 1000, memory: vm.requests.memory },
    guestMemory: vm.memory,
    cpu: { vcpus: vm.vcpus },
    evictionStrategy: "LiveMigrate",
    usage: { cpu, memory: vm.memory, dirtyRate: vm.dirtyRate },
  };
}

function nodesOf(
  state: ReplayState,
  hostCpu: readonly number[][],
  settings: HistorySettings,
): ClusterSnapshotInput["nodes"] {
  const memory = new Float64Array(state.hosts.length);
  state.vms.forEach((vm, index) => {
    const host = state.hostOf[index] ?? 0;
    memory[host] = (memory[host] ?? 0) + vm.memory;
  });
  return state.hosts.map((host, index) => ({
    name: host.name,
    labels: host.labels,
    capacity: { cpu: host.cores * 1000, memory: host.memory, pods: host.pods },
    ...(host.allocatable && {
      allocatable: { cpu: host.allocatable.cpu * 1000, memory: host.allocatable.memory, pods: host.allocatable.pods },
    }),
    migrationBandwidth: host.migrationBandwidth,
    usage: { cpu: summaryOf(hostCpu[index] ?? [], state, settings), memory: memory[index] ?? 0 },
  }));
}

/** A replay VM key (namespace/name) in its two parts. */
function splitKey(key: string): { namespace: string; name: string } {
  const slash = key.indexOf("/");
  return slash < 0
    ? { namespace: "default", name: key }
    : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

type MigrationInput = NonNullable<ClusterSnapshotInput["migrations"]>[number];

function migrationOf(record: MigrationRecord, index: number): MigrationInput {
  const { namespace, name } = splitKey(record.vm);
  return {
    namespace,
    name: `replay-${index}`,
    vm: name,
    phase: record.outcome === "succeeded" ? "Succeeded" : "Failed",
    source: record.from,
    target: record.to,
    requestedTarget: record.to,
    createdAt: new Date(record.startedAt).toISOString(),
    endedAt: new Date(record.endedAt).toISOString(),
    byKubedrs: true,
  };
}

function migrationsOf(state: ReplayState): MigrationInput[] {
  const recent = state.migrations
    .map((record, index) => ({ record, index }))
    .filter(({ record }) => record.endedAt <= state.now && state.now - record.endedAt < HISTORY_MS)
    .map(({ record, index }) => migrationOf(record, index));
  const createdAt = new Date(state.now).toISOString();
  const running = [...state.migrating].map((vm): MigrationInput => {
    const { namespace, name } = splitKey(state.vms[vm]?.key ?? "");
    const source = state.hosts[state.hostOf[vm] ?? 0]?.name;
    return { namespace, name: `replay-running-${vm}`, vm: name, phase: "Running", source, createdAt, byKubedrs: true };
  });
  return [...recent, ...running];
}

export function replaySnapshot(state: ReplayState, settings: HistorySettings): ClusterSnapshot {
  const cpu = cpuHistories(state, historyLength(state, settings));
  return clusterSnapshotSchema.parse({
    apiVersion: "kubedrs.io/v1alpha1",
    kind: "ClusterSnapshot",
    takenAt: new Date(state.now).toISOString(),
    usageWindow: settings.windowSeconds,
    kubevirt: { evictionStrategy: "LiveMigrate" },
    nodes: nodesOf(state, cpu.hosts, settings),
    vms: cpu.vms.map((history, index) => vmOf(state, index, summaryOf(history, state, settings))),
    migrations: migrationsOf(state),
  } satisfies ClusterSnapshotInput);
}

export function replayModel(state: ReplayState, settings: HistorySettings): ClusterModel {
  return buildClusterModel(replaySnapshot(state, settings));
}
