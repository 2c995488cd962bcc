/**
 * Checks the schema cannot make: names are unique, and every pool, node, zone, group and VM that
 * a placement or an event names exists. Each error carries the path of the field that names it.
 */
import type { FieldError } from "../../core/policy/field-error.ts";
import { ResourceRegistry } from "../api/resources.ts";
import type { HostTarget, ScenarioEvent } from "./event-schema.ts";
import { type PlannedGroup, type ScenarioLayout, placementCandidates } from "./layout.ts";
import type { ScenarioSpec } from "./schema.ts";
import type { Placement } from "./vm-group-schema.ts";

type Path = readonly (string | number)[];

/** The names a scenario defines, for lookups. */
interface Known {
  readonly pools: ReadonlySet<string>;
  readonly nodes: ReadonlySet<string>;
  readonly zones: ReadonlySet<string>;
  readonly groups: ReadonlySet<string>;
  readonly vms: ReadonlySet<string>;
  /** Nodes of each pool. */
  readonly poolNodes: ReadonlyMap<string, readonly string[]>;
}

function knownNames(layout: ScenarioLayout): Known {
  const poolNodes = new Map<string, string[]>();
  for (const node of layout.nodes) {
    const names = poolNodes.get(node.pool.name) ?? [];
    names.push(node.name);
    poolNodes.set(node.pool.name, names);
  }
  return {
    pools: new Set(poolNodes.keys()),
    nodes: new Set(layout.nodes.map((node) => node.name)),
    zones: new Set(layout.nodes.map((node) => node.zone)),
    groups: new Set(layout.groups.map((planned) => planned.group.name)),
    vms: new Set(layout.groups.flatMap((planned) => planned.names.map((name) => `${planned.group.namespace}/${name}`))),
    poolNodes,
  };
}

function listed(names: Iterable<string>): string {
  const all = [...names].sort();
  const shown = all.slice(0, 8).join(", ");
  return all.length > 8 ? `${shown}, … (${all.length} in all)` : shown;
}

function unknown(path: Path, what: string, name: string, known: Iterable<string>): FieldError {
  return { type: "NotSupported", path, message: `no ${what} named ${JSON.stringify(name)} (known: ${listed(known)})` };
}

function duplicates(names: readonly string[], path: (index: number) => Path, what: string): FieldError[] {
  const seen = new Set<string>();
  const errors: FieldError[] = [];
  names.forEach((name, index) => {
    if (seen.has(name)) errors.push({ type: "Duplicate", path: path(index), message: `${what} ${name} appears twice` });
    seen.add(name);
  });
  return errors;
}

function uniqueness(spec: ScenarioSpec, layout: ScenarioLayout): FieldError[] {
  const nodeOwners = layout.nodes.map((node) => spec.nodePools.indexOf(node.pool));
  const vmOwners = layout.groups.flatMap((planned, index) => planned.names.map(() => index));
  const vmKeys = layout.groups.flatMap((planned) => planned.names.map((name) => `${planned.group.namespace}/${name}`));
  return [
    ...duplicates(
      spec.nodePools.map((pool) => pool.name),
      (i) => ["spec", "nodePools", i, "name"],
      "node pool",
    ),
    ...duplicates(
      layout.nodes.map((node) => node.name),
      (i) => ["spec", "nodePools", nodeOwners[i] ?? 0, "namePattern"],
      "node",
    ),
    ...duplicates(
      spec.vmGroups.map((group) => group.name),
      (i) => ["spec", "vmGroups", i, "name"],
      "VM group",
    ),
    ...duplicates(vmKeys, (i) => ["spec", "vmGroups", vmOwners[i] ?? 0, "namePattern"], "VM"),
    ...duplicates(
      spec.namespaces.map((ns) => ns.name),
      (i) => ["spec", "namespaces", i, "name"],
      "namespace",
    ),
    ...duplicates(
      spec.migrationPolicies.map((policy) => policy.name),
      (i) => ["spec", "migrationPolicies", i, "name"],
      "MigrationPolicy",
    ),
  ];
}

function nodeNameErrors(names: readonly string[] | undefined, path: Path, known: Known): FieldError[] {
  const errors: FieldError[] = [];
  names?.forEach((name, index) => {
    if (!known.nodes.has(name)) errors.push(unknown([...path, index], "node", name, known.nodes));
  });
  return errors;
}

function skewErrors(placement: Placement, candidates: readonly string[], path: Path): FieldError[] {
  const skew = placement.skew;
  if (skew === undefined) return [];
  if (skew.count !== undefined && skew.count >= candidates.length)
    return [
      {
        type: "Invalid",
        path: [...path, "skew", "count"],
        message: `must be less than the ${candidates.length} candidate nodes`,
      },
    ];
  const inCandidates = new Set(candidates);
  const errors: FieldError[] = [];
  skew.nodes?.forEach((name, index) => {
    if (!inCandidates.has(name))
      errors.push({
        type: "Invalid",
        path: [...path, "skew", "nodes", index],
        message: `${name} is not one of the placement's nodes`,
      });
  });
  return errors;
}

function placementErrors(planned: PlannedGroup, index: number, known: Known): FieldError[] {
  const placement = planned.group.placement;
  if (placement === undefined) return [];
  const path: Path = ["spec", "vmGroups", index, "placement"];
  if (placement.pool !== undefined && !known.pools.has(placement.pool))
    return [unknown([...path, "pool"], "node pool", placement.pool, known.pools)];
  const nodeErrors = nodeNameErrors(placement.nodes, [...path, "nodes"], known);
  if (nodeErrors.length > 0) return nodeErrors;
  const candidates = placementCandidates(placement, [...known.nodes], known.poolNodes);
  if (candidates.length === 0)
    return [{ type: "Invalid", path, message: "no node is both in the pool and in the list of nodes" }];
  return skewErrors(placement, candidates, path);
}

function hostTargetErrors(target: HostTarget, path: Path, known: Known): FieldError[] {
  const errors: FieldError[] = [];
  if (target.node !== undefined && !known.nodes.has(target.node))
    errors.push(unknown([...path, "node"], "node", target.node, known.nodes));
  errors.push(...nodeNameErrors(target.nodes, [...path, "nodes"], known));
  if (target.pool !== undefined && !known.pools.has(target.pool))
    errors.push(unknown([...path, "pool"], "node pool", target.pool, known.pools));
  if (target.zone !== undefined && !known.zones.has(target.zone))
    errors.push(unknown([...path, "zone"], "zone", target.zone, known.zones));
  return errors;
}

function loadTargetErrors(
  event: Extract<ScenarioEvent, { type: "load-spike" }>,
  path: Path,
  known: Known,
): FieldError[] {
  if (event.group !== undefined && !known.groups.has(event.group))
    return [unknown([...path, "group"], "VM group", event.group, known.groups)];
  if (event.vm !== undefined && !known.vms.has(event.vm)) return [unknown([...path, "vm"], "VM", event.vm, known.vms)];
  return [];
}

function eventErrors(spec: ScenarioSpec, known: Known): FieldError[] {
  return spec.events.flatMap((event, index) => {
    const path: Path = ["spec", "events", index];
    const errors =
      event.type === "load-spike" ? loadTargetErrors(event, path, known) : hostTargetErrors(event, path, known);
    if (event.at > spec.duration)
      errors.push({ type: "Invalid", path: [...path, "at"], message: `after the scenario's end (${spec.duration} s)` });
    return errors;
  });
}

function objectErrors(spec: ScenarioSpec): FieldError[] {
  const registry = new ResourceRegistry();
  return spec.objects.flatMap((object, index) =>
    registry.forKind(object.apiVersion, object.kind)
      ? []
      : [
          {
            type: "NotSupported" as const,
            path: ["spec", "objects", index, "kind"],
            message: `the twin does not serve ${object.kind} in ${object.apiVersion}`,
          },
        ],
  );
}

export function referenceErrors(spec: ScenarioSpec, layout: ScenarioLayout): FieldError[] {
  const known = knownNames(layout);
  return [
    ...uniqueness(spec, layout),
    ...layout.groups.flatMap((planned, index) => placementErrors(planned, index, known)),
    ...eventErrors(spec, known),
    ...objectErrors(spec),
  ];
}
