/**
 * Writes a parsed snapshot back in file form: CPU as millicore quantities ("1500m"), everything
 * else as plain numbers. `clusterSnapshotSchema.parse(encodeSnapshot(s))` gives `s` back.
 */
import type { ClusterSnapshot, ClusterSnapshotInput, SnapshotNode, SnapshotVm, UsageSummary } from "./snapshot.ts";

function cpu(millicores: number): string {
  return `${millicores}m`;
}

function resources(list: Readonly<Record<string, number>>): Record<string, number | string> {
  const encoded: Record<string, number | string> = {};
  for (const [name, value] of Object.entries(list)) encoded[name] = name === "cpu" ? cpu(value) : value;
  return encoded;
}

function cpuSummary(summary: UsageSummary): { mean: string; p95: string; max: string } {
  return { mean: cpu(summary.mean), p95: cpu(summary.p95), max: cpu(summary.max) };
}

function encodeNode(node: SnapshotNode): NonNullable<ClusterSnapshotInput["nodes"]>[number] {
  const { capacity, allocatable, usage, ...rest } = node;
  return {
    ...rest,
    capacity: resources(capacity),
    ...(allocatable && { allocatable: resources(allocatable) }),
    ...(usage && { usage: { ...usage, cpu: cpuSummary(usage.cpu) } }),
  };
}

function encodeVm(vm: SnapshotVm): NonNullable<ClusterSnapshotInput["vms"]>[number] {
  const { requests, limits, usage, ...rest } = vm;
  return {
    ...rest,
    requests: resources(requests),
    ...(limits && { limits: resources(limits) }),
    ...(usage && { usage: { ...usage, cpu: cpuSummary(usage.cpu) } }),
  };
}

export function encodeSnapshot(snapshot: ClusterSnapshot): ClusterSnapshotInput {
  return { ...snapshot, nodes: snapshot.nodes.map(encodeNode), vms: snapshot.vms.map(encodeVm) };
}
