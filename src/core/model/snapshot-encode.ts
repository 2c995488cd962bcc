/**
 * Writes a parsed snapshot back in file form: CPU as millicore quantities ("1500m"), everything
 * else as plain numbers, and every field that only repeats its default left out, so files stay
 * small and readable. `clusterSnapshotSchema.parse(encodeSnapshot(s))` gives `s` back.
 */
import {
  type ClusterSnapshot,
  type ClusterSnapshotInput,
  type SnapshotNode,
  type SnapshotVm,
  type UsageSummary,
  snapshotNode,
  snapshotVm,
} from "./snapshot.ts";

type Encoded = Record<string, unknown>;

function cpu(millicores: number): string {
  return `${millicores}m`;
}

function resources(list: Readonly<Record<string, number>>): Record<string, number | string> {
  const encoded: Record<string, number | string> = {};
  for (const [name, value] of Object.entries(list)) encoded[name] = name === "cpu" ? cpu(value) : value;
  return encoded;
}

/** A summary whose three statistics agree is written as one value. */
function summary<T>(value: UsageSummary, write: (amount: number) => T): T | { mean: T; p95: T; max: T } {
  if (value.mean === value.p95 && value.p95 === value.max) return write(value.mean);
  return { mean: write(value.mean), p95: write(value.p95), max: write(value.max) };
}

function usage(value: NonNullable<SnapshotVm["usage"]> | NonNullable<SnapshotNode["usage"]>): Encoded {
  const encoded: Encoded = { ...value, cpu: summary(value.cpu, cpu), memory: summary(value.memory, (bytes) => bytes) };
  if ("dirtyRate" in value && value.dirtyRate) encoded.dirtyRate = summary(value.dirtyRate, (bytes) => bytes);
  return encoded;
}

const DEFAULT_NODE: Encoded = snapshotNode.parse({ name: "-", capacity: {} });
const DEFAULT_VM: Encoded = snapshotVm.parse({ namespace: "-", name: "-", node: "-", requests: {} });

/** Drops the fields equal to what the schema would fill in anyway. */
function withoutDefaults(encoded: Encoded, defaults: Encoded): Encoded {
  const kept: Encoded = {};
  for (const [key, value] of Object.entries(encoded)) {
    if (value === undefined) continue;
    if (key in defaults && JSON.stringify(value) === JSON.stringify(defaults[key])) continue;
    kept[key] = value;
  }
  return kept;
}

function encodeNode(node: SnapshotNode): Encoded {
  const { capacity, allocatable, usage: used, ...rest } = node;
  const encoded: Encoded = { ...rest, capacity: resources(capacity) };
  if (allocatable) encoded.allocatable = resources(allocatable);
  if (used) encoded.usage = usage(used);
  return withoutDefaults(encoded, DEFAULT_NODE);
}

function encodeVm(vm: SnapshotVm): Encoded {
  const { requests, limits, usage: used, ...rest } = vm;
  const encoded: Encoded = { ...rest, requests: resources(requests) };
  if (limits) encoded.limits = resources(limits);
  if (used) encoded.usage = usage(used);
  return withoutDefaults(encoded, DEFAULT_VM);
}

export function encodeSnapshot(snapshot: ClusterSnapshot): ClusterSnapshotInput {
  return {
    ...snapshot,
    nodes: snapshot.nodes.map(encodeNode),
    vms: snapshot.vms.map(encodeVm),
  } as ClusterSnapshotInput;
}
