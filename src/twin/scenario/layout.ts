/**
 * What a scenario expands to before any object exists: every node's name and zone, every VM's
 * name. Validation checks references against it; applying builds the objects from it.
 */
import { defaultPattern, expandNames } from "./names.ts";
import type { NodePool } from "./pool-schema.ts";
import type { ScenarioSpec } from "./schema.ts";
import type { Placement, VmGroup } from "./vm-group-schema.ts";

export interface PlannedNode {
  readonly name: string;
  readonly pool: NodePool;
  readonly zone: string;
  /** Position in the whole cluster, for addresses. */
  readonly ordinal: number;
}

export interface PlannedGroup {
  readonly group: VmGroup;
  readonly names: readonly string[];
  /** For a `traces` group: the trace file of each VM, in name order. */
  readonly traceFiles: readonly string[] | undefined;
}

export interface ScenarioLayout {
  /** In pool order, then index order. */
  readonly nodes: readonly PlannedNode[];
  readonly groups: readonly PlannedGroup[];
}

/** Trace files found for each `traces` group, by group name (see traces.ts). */
export type TraceFiles = ReadonlyMap<string, readonly string[]>;

function poolNodes(pool: NodePool, firstOrdinal: number): PlannedNode[] {
  const names = expandNames(pool.namePattern ?? defaultPattern(pool.name), pool.count);
  return names.map((name, index) => ({
    name,
    pool,
    zone: pool.zones[index % pool.zones.length] ?? "zone-a",
    ordinal: firstOrdinal + index,
  }));
}

function plannedGroup(group: VmGroup, traceFiles: TraceFiles): PlannedGroup {
  const files = group.traces === undefined ? undefined : (traceFiles.get(group.name) ?? []);
  const count = files?.length ?? group.count ?? 0;
  return { group, names: expandNames(group.namePattern ?? defaultPattern(group.name), count), traceFiles: files };
}

export function layoutOf(spec: ScenarioSpec, traceFiles: TraceFiles = new Map()): ScenarioLayout {
  const nodes: PlannedNode[] = [];
  for (const pool of spec.nodePools) nodes.push(...poolNodes(pool, nodes.length));
  return { nodes, groups: spec.vmGroups.map((group) => plannedGroup(group, traceFiles)) };
}

/** The nodes a placement starts VMs on, when its pool and nodes are known. */
export function placementCandidates(
  placement: Placement,
  allNodes: readonly string[],
  poolNodes: ReadonlyMap<string, readonly string[]>,
): string[] {
  let candidates = placement.pool === undefined ? [...allNodes] : [...(poolNodes.get(placement.pool) ?? [])];
  if (placement.nodes !== undefined) {
    const wanted = new Set(placement.nodes);
    candidates = candidates.filter((name) => wanted.has(name));
  }
  return candidates;
}
