/**
 * Load spikes: the `twin.kubedrs.io/load-factor` annotation multiplies a VM's load. It goes on the
 * VM's template (so a restarted or migrated VM keeps it) and on the running VMI (which the workload
 * model reads), and is put back as it was when the spike is over.
 */
import { isRecord, type KubeObject } from "../../api/types.ts";
import type { TwinRuntime } from "../../runtime/runtime.ts";
import { GROUP_LABEL, LOAD_FACTOR_ANNOTATION, SCENARIO_ACTOR } from "../annotations.ts";
import type { TwinEvent } from "../event-schema.ts";
import { type EventContext, EventTargetError, afterDuration, forText, noteEvent } from "./context.ts";

type LoadSpike = Extract<TwinEvent, { type: "load-spike" }>;

export interface VmRef {
  readonly namespace: string;
  readonly name: string;
}

/** The VMs a spike acts on, sorted by namespace/name. */
export function selectVms(runtime: TwinRuntime, event: LoadSpike): VmRef[] {
  const { store, resources } = runtime;
  if (event.vm !== undefined) {
    const [namespace = "", name = ""] = event.vm.split("/");
    if (!store.get(resources.virtualMachines, namespace, name)) throw new EventTargetError(["vm"], `no VM ${event.vm}`);
    return [{ namespace, name }];
  }
  const members = store
    .list(resources.virtualMachines, { labels: [{ key: GROUP_LABEL, operator: "In", values: [event.group ?? ""] }] })
    .map((vm) => ({ namespace: vm.metadata.namespace ?? "", name: vm.metadata.name ?? "" }));
  if (members.length === 0) throw new EventTargetError(["group"], `no VM of group ${JSON.stringify(event.group)}`);
  return members.sort((a, b) => (`${a.namespace}/${a.name}` < `${b.namespace}/${b.name}` ? -1 : 1));
}

/** The record at `key`, created if missing. */
function child(parent: Record<string, unknown>, key: string): Record<string, unknown> {
  const existing = parent[key];
  if (isRecord(existing)) return existing;
  const created: Record<string, unknown> = {};
  parent[key] = created;
  return created;
}

function setAnnotation(annotations: Record<string, unknown>, value: string | undefined): void {
  if (value === undefined) delete annotations[LOAD_FACTOR_ANNOTATION];
  else annotations[LOAD_FACTOR_ANNOTATION] = value;
}

function templateAnnotations(vm: KubeObject): Record<string, unknown> {
  return child(child(child(vm.spec ?? (vm.spec = {}), "template"), "metadata"), "annotations");
}

/** Sets (or, with undefined, removes) the factor; returns the template's value before. */
function setFactor(runtime: TwinRuntime, vm: VmRef, value: string | undefined): string | undefined {
  const { store, resources } = runtime;
  let before: string | undefined;
  store.mutate(
    resources.virtualMachines,
    vm,
    (object) => {
      const annotations = templateAnnotations(object);
      const current = annotations[LOAD_FACTOR_ANNOTATION];
      before = typeof current === "string" ? current : undefined;
      setAnnotation(annotations, value);
    },
    { actor: SCENARIO_ACTOR },
  );
  store.mutate(
    resources.virtualMachineInstances,
    vm,
    (object) => setAnnotation((object.metadata.annotations ??= {}), value),
    {
      actor: SCENARIO_ACTOR,
    },
  );
  return before;
}

export function applyLoadSpike(context: EventContext, event: LoadSpike, vms: readonly VmRef[]): void {
  const label = event.vm ?? `group/${event.group ?? ""}`;
  const previous = vms.map((vm) => setFactor(context.runtime, vm, String(event.factor)));
  noteEvent(context, label, `load-spike factor=${event.factor} vms=${vms.length}${forText(event.for)}`);
  afterDuration(context, event.for, () => {
    vms.forEach((vm, index) => setFactor(context.runtime, vm, previous[index]));
    noteEvent(context, label, "load-spike over");
  });
}
