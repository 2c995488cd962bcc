/**
 * Applies a scenario to a fresh twin: creates its objects through the store (as the "scenario"
 * actor) in a fixed order, registers every host with the ground truth, places the VMs that have
 * a starting placement, and puts the events on the virtual clock. The same scenario and seed
 * always create the same objects in the same order.
 */
import type { KubeObject } from "../api/types.ts";
import type { ResourceType } from "../api/resources.ts";
import type { TwinRuntime } from "../runtime/runtime.ts";
import { SCENARIO_ACTOR } from "./annotations.ts";
import { kubevirtObject, migrationPolicyObject, namespaceObjects } from "./cluster-objects.ts";
import type { ScenarioLayout } from "./layout.ts";
import type { Scenario } from "./loader.ts";
import { nodeObject, type PoolShape, poolShape } from "./node-objects.ts";
import { CapacityLedger, type NodeFacts, placeGroup } from "./placement.ts";
import type { ExtraObject } from "./schema.ts";
import { scheduleEvents } from "./timeline.ts";
import { vmFactory } from "./vm-objects.ts";
import { cloneJson } from "../api/json-clone.ts";

export interface AppliedScenario {
  readonly name: string;
  /** Virtual start and end, ms since the epoch. */
  readonly start: number;
  readonly end: number;
  readonly nodes: number;
  readonly vms: number;
  readonly events: number;
}

/** Anything that has a twin runtime: the Twin itself, or a test double. */
export interface HasRuntime {
  readonly runtime: TwinRuntime;
}

const SCENARIO_LOG_KIND = "TwinScenario";

function createAll(runtime: TwinRuntime, resource: ResourceType, objects: readonly KubeObject[]): void {
  for (const object of objects) {
    const existing = runtime.store.get(resource, object.metadata.namespace, object.metadata.name ?? "");
    if (!existing) runtime.store.create(resource, object, { actor: SCENARIO_ACTOR });
  }
}

function createNodes(runtime: TwinRuntime, layout: ScenarioLayout): NodeFacts[] {
  const shapes = new Map<string, PoolShape>();
  const context = { now: runtime.clock.nowIso(), rng: runtime.rng("scenario/nodes") };
  const facts: NodeFacts[] = [];
  for (const planned of layout.nodes) {
    let shape = shapes.get(planned.pool.name);
    if (!shape) {
      shape = poolShape(planned.pool);
      shapes.set(planned.pool.name, shape);
    }
    const node = nodeObject(planned, shape, context);
    runtime.store.create(runtime.resources.nodes, node, { actor: SCENARIO_ACTOR });
    runtime.truth.addHost(planned.name);
    facts.push({
      name: planned.name,
      pool: planned.pool.name,
      zone: planned.zone,
      labels: node.metadata.labels ?? {},
      taints: planned.pool.taints,
      allocatable: shape.resources.allocatable,
    });
  }
  return facts;
}

function createVms(runtime: TwinRuntime, layout: ScenarioLayout, nodes: readonly NodeFacts[]): number {
  const ledger = new CapacityLedger(nodes);
  const byPool = new Map<string, string[]>();
  for (const node of nodes) {
    const names = byPool.get(node.pool) ?? [];
    names.push(node.name);
    byPool.set(node.pool, names);
  }
  let created = 0;
  for (const planned of layout.groups) {
    const placements = placeGroup(
      planned,
      { all: nodes, byPool },
      ledger,
      runtime.rng(`scenario/placement/${planned.group.name}`),
    );
    const makeVm = vmFactory(planned.group);
    planned.names.forEach((name, index) => {
      const vm = makeVm({ name, initialNode: placements[index], traceFile: planned.traceFiles?.[index] });
      runtime.store.create(runtime.resources.virtualMachines, vm, { actor: SCENARIO_ACTOR });
      created += 1;
    });
  }
  return created;
}

function createExtraObjects(runtime: TwinRuntime, objects: readonly ExtraObject[]): void {
  for (const object of objects) {
    const resource = runtime.registry.forKind(object.apiVersion, object.kind);
    if (!resource) throw new Error(`the twin does not serve ${object.kind} in ${object.apiVersion}`);
    runtime.store.create(resource, cloneJson(object), { actor: SCENARIO_ACTOR });
  }
}

export function applyScenario(twin: HasRuntime, scenario: Scenario): AppliedScenario {
  const { runtime } = twin;
  const { document, layout } = scenario;
  const { spec } = document;
  const name = document.metadata.name;
  const start = runtime.clock.now();
  runtime.log.note(runtime.clock.nowIso(), SCENARIO_LOG_KIND, name, "apply");
  createAll(runtime, runtime.resources.namespaces, namespaceObjects(spec));
  createAll(runtime, runtime.resources.kubevirts, [kubevirtObject(spec.kubevirt)]);
  createAll(runtime, runtime.resources.migrationPolicies, spec.migrationPolicies.map(migrationPolicyObject));
  const nodes = createNodes(runtime, layout);
  createExtraObjects(runtime, spec.objects);
  const vms = createVms(runtime, layout, nodes);
  const events = scheduleEvents(runtime, spec.events, start);
  const end = start + spec.duration * 1000;
  runtime.log.note(
    runtime.clock.nowIso(),
    SCENARIO_LOG_KIND,
    name,
    `applied nodes=${nodes.length} vms=${vms} events=${events}`,
  );
  runtime.clock.at(end, () => runtime.log.note(runtime.clock.nowIso(), SCENARIO_LOG_KIND, name, "end"));
  return { name, start, end, nodes: nodes.length, vms, events };
}
