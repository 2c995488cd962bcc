/**
 * A node's NUMA layout from its NodeResourceTopology (topology.node.k8s.io/v1alpha2), as published by
 * NFD's topology updater or the resource-topology-exporter: one zone of type "Node" per NUMA cell.
 */
import { parseQuantity } from "../../../core/model/quantity.ts";
import type { SnapshotNode } from "../../../core/model/snapshot.ts";
import { compact } from "./compact.ts";
import { Field } from "./field.ts";
import { type Converted, Issues } from "./issues.ts";
import { describeObject, type JsonObject } from "./meta.ts";

export type NodeNuma = NonNullable<SnapshotNode["numa"]>;
type TopologyPolicy = NodeNuma["topologyPolicy"];
type NumaCell = NodeNuma["cells"][number];

const TOPOLOGY_POLICIES = ["none", "best-effort", "restricted", "single-numa-node"] as const;
const HUGEPAGES_PREFIX = "hugepages-";

/** The deprecated `topologyPolicies` values, e.g. "SingleNUMANodeContainerLevel", by their prefix. */
const DEPRECATED_POLICY_PREFIXES: readonly (readonly [string, TopologyPolicy])[] = [
  ["SingleNUMANode", "single-numa-node"],
  ["Restricted", "restricted"],
  ["BestEffort", "best-effort"],
  ["None", "none"],
];

function policyOf(topology: Field): TopologyPolicy {
  const attribute = topology
    .key("attributes")
    .list()
    .find((item) => item.key("name").value === "topologyManagerPolicy");
  const policy = attribute?.key("value").oneOf(TOPOLOGY_POLICIES);
  if (policy !== undefined) return policy;
  const deprecated = topology.key("topologyPolicies").list()[0]?.value;
  const match = DEPRECATED_POLICY_PREFIXES.find(
    ([prefix]) => typeof deprecated === "string" && deprecated.startsWith(prefix),
  );
  return match?.[1] ?? "none";
}

/** What the kubelet can hand out from a zone: allocatable, else capacity. */
function amountOf(resource: Field): number | undefined {
  const allocatable = resource.key("allocatable");
  return (allocatable.present ? allocatable : resource.key("capacity").required()).quantity();
}

function cpuCountOf(resource: Field | undefined): number | undefined {
  if (resource === undefined) return undefined;
  const count = amountOf(resource);
  if (count === undefined || (Number.isInteger(count) && count >= 1)) return count;
  resource.report(`expected a whole number of CPUs, at least 1, found ${count}`);
  return undefined;
}

function hugepagesOf(resources: readonly Field[]): Record<string, number> {
  const pools: Record<string, number> = {};
  for (const resource of resources) {
    const name = resource.key("name").value;
    if (typeof name !== "string" || !name.startsWith(HUGEPAGES_PREFIX)) continue;
    const size = name.slice(HUGEPAGES_PREFIX.length);
    const pageBytes = parseQuantity(size);
    const bytes = amountOf(resource);
    if (pageBytes === undefined || pageBytes <= 0) resource.key("name").report(`not a hugepage size: ${size}`);
    else if (bytes !== undefined) pools[size] = Math.floor(bytes / pageBytes);
  }
  return pools;
}

/** Zone "node-1" is NUMA cell 1; zones without a number keep their position. */
function cellIdOf(zone: Field, position: number): number {
  const name = zone.key("name").value;
  const digits = typeof name === "string" ? /(\d+)$/.exec(name) : null;
  return digits ? Number(digits[1]) : position;
}

interface ZoneCell {
  readonly id: number;
  readonly cpus: number;
  readonly memory: number | undefined;
  readonly hugepages: Record<string, number>;
}

function cellOf(zone: Field, position: number): ZoneCell | undefined {
  const resources = zone.key("resources").list();
  const byName = (name: string): Field | undefined => resources.find((item) => item.key("name").value === name);
  const cpus = cpuCountOf(byName("cpu"));
  if (cpus === undefined) {
    zone.key("resources").report("no cpu resource in this NUMA zone");
    return undefined;
  }
  const memory = byName("memory");
  return {
    id: cellIdOf(zone, position),
    cpus,
    memory: memory === undefined ? undefined : amountOf(memory),
    hugepages: hugepagesOf(resources),
  };
}

/**
 * The topology reports CPU counts, not CPU ids. The core only counts a cell's cpuset, so consecutive
 * ids stand in: 16 CPUs in cell 0 and 16 in cell 1 become "0-15" and "16-31".
 */
function withCpusets(cells: readonly ZoneCell[]): NumaCell[] {
  let next = 0;
  return cells.map((cell) => {
    const first = next;
    next += cell.cpus;
    const cpus = cell.cpus === 1 ? `${first}` : `${first}-${next - 1}`;
    return compact({ id: cell.id, cpus, memory: cell.memory, hugepages: cell.hugepages });
  });
}

function hasDuplicateIds(cells: readonly ZoneCell[]): boolean {
  return new Set(cells.map((cell) => cell.id)).size !== cells.length;
}

/** The NUMA layout a NodeResourceTopology describes; left out (with warnings) when it cannot be mapped. */
export function numaFromTopology(topology: JsonObject): Converted<NodeNuma> {
  const issues = new Issues(describeObject("NodeResourceTopology", topology));
  const root = Field.root(topology, issues);
  const zones = root.key("zones").required().list();
  const cells = zones
    .filter((zone) => zone.key("type").value === "Node")
    .map(cellOf)
    .filter((cell): cell is ZoneCell => cell !== undefined)
    .sort((a, b) => a.id - b.id);
  if (cells.length === 0) root.key("zones").report('no zone of type "Node" with CPUs');
  if (hasDuplicateIds(cells)) root.key("zones").report("two NUMA zones share a cell number");
  return issues.result({ topologyPolicy: policyOf(root), cells: withCpusets(cells) });
}
