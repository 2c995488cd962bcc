/**
 * Puts measured usage into a ClusterSnapshot. The snapshot is built from informers without usage
 * (or with usage from a file); this fills it in from the usage history, signal by signal, so a node
 * whose memory scrape failed keeps its last known memory rather than losing its whole usage. The
 * input snapshot is not changed: planning may still hold it.
 */
import type { ClusterSnapshot, SnapshotNode, SnapshotVm } from "../model/snapshot.ts";
import type { NodeUsageSummaries, UsageSummaries, VmUsageSummaries } from "./summaries.ts";

type NodeUsage = NonNullable<SnapshotNode["usage"]>;
type VmUsage = NonNullable<SnapshotVm["usage"]>;

export function withUsage(snapshot: ClusterSnapshot, usage: UsageSummaries): ClusterSnapshot {
  return {
    ...snapshot,
    usageWindow: usage.windowSeconds,
    nodes: snapshot.nodes.map((node) => withNodeUsage(node, usage.nodes.get(node.name))),
    vms: snapshot.vms.map((vm) => withVmUsage(vm, usage.vms.get(`${vm.namespace}/${vm.name}`))),
  };
}

function withNodeUsage(node: SnapshotNode, fresh: NodeUsageSummaries | undefined): SnapshotNode {
  if (fresh === undefined) return node;
  const usage = mergedNodeUsage(node.usage, fresh);
  return usage === node.usage || usage === undefined ? node : { ...node, usage };
}

function withVmUsage(vm: SnapshotVm, fresh: VmUsageSummaries | undefined): SnapshotVm {
  if (fresh === undefined) return vm;
  const usage = mergedVmUsage(vm.usage, fresh);
  return usage === vm.usage || usage === undefined ? vm : { ...vm, usage };
}

/**
 * New signals over old ones. CPU and memory are both required by the snapshot, so a node measured
 * for only one of them, with nothing known before, keeps no usage rather than an invented one.
 */
function mergedNodeUsage(previous: NodeUsage | undefined, fresh: NodeUsageSummaries): NodeUsage | undefined {
  const cpu = fresh.cpu ?? previous?.cpu;
  const memory = fresh.memory ?? previous?.memory;
  if (cpu === undefined || memory === undefined) return previous;
  const pressure =
    fresh.cpuPressure === undefined
      ? previous?.pressure
      : { ...previous?.pressure, cpuSome: share(fresh.cpuPressure.mean) };
  return pressure === undefined ? { cpu, memory } : { cpu, memory, pressure };
}

function mergedVmUsage(previous: VmUsage | undefined, fresh: VmUsageSummaries): VmUsage | undefined {
  const cpu = fresh.cpu ?? previous?.cpu;
  const memory = fresh.memory ?? previous?.memory;
  if (cpu === undefined || memory === undefined) return previous;
  return { cpu, memory, ...optionalVmSignals(previous, fresh) };
}

/** The snapshot keeps vCPU delay as one share, not a summary: the smoothed level is what contention means. */
function optionalVmSignals(previous: VmUsage | undefined, fresh: VmUsageSummaries): Partial<VmUsage> {
  const dirtyRate = fresh.dirtyRate ?? previous?.dirtyRate;
  const vcpuDelay = fresh.vcpuDelay === undefined ? previous?.vcpuDelay : Math.max(0, fresh.vcpuDelay.mean);
  return { ...(dirtyRate !== undefined && { dirtyRate }), ...(vcpuDelay !== undefined && { vcpuDelay }) };
}

/** PSI shares are 0..1 by definition; a rate computed across a counter reset can stray outside. */
function share(value: number): number {
  return Math.min(1, Math.max(0, value));
}
