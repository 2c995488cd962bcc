/**
 * What the virt-launcher pod says about its VMI: the resources the scheduler accounts for it (which
 * include KubeVirt's overhead, unlike the VMI spec) and the CPU selectors a host-model migration left.
 */
import { LABEL } from "../../../core/model/kubevirt-labels.ts";
import type { Field } from "./field.ts";

type ResourceList = Record<string, number>;
type ResourceKind = "requests" | "limits";

const MIGRATION_SELECTOR_PREFIXES = [LABEL.cpuModelMigration, LABEL.cpuFeature];

function addInto(total: ResourceList, list: Readonly<ResourceList>): void {
  for (const [name, amount] of Object.entries(list)) total[name] = (total[name] ?? 0) + amount;
}

function maxInto(total: ResourceList, list: Readonly<ResourceList>): void {
  for (const [name, amount] of Object.entries(list)) total[name] = Math.max(total[name] ?? 0, amount);
}

function resourcesOf(container: Field, kind: ResourceKind): ResourceList {
  return container.key("resources").key(kind).resourceList() ?? {};
}

/** Init containers with restartPolicy Always are sidecars: they run alongside the app containers. */
function isSidecar(container: Field): boolean {
  return container.key("restartPolicy").value === "Always";
}

/** App containers and sidecars, which all run at once. */
function runningTotal(spec: Field, kind: ResourceKind): ResourceList {
  const total: ResourceList = {};
  for (const container of spec.key("containers").list()) addInto(total, resourcesOf(container, kind));
  for (const init of spec.key("initContainers").list()) {
    if (isSidecar(init)) addInto(total, resourcesOf(init, kind));
  }
  return total;
}

/**
 * The pod's requests as the scheduler counts them: the running containers, or the largest plain init
 * container when that is more, plus the RuntimeClass overhead.
 */
export function podRequests(pod: Field): ResourceList {
  const spec = pod.key("spec");
  const total = runningTotal(spec, "requests");
  for (const init of spec.key("initContainers").list()) {
    if (!isSidecar(init)) maxInto(total, resourcesOf(init, "requests"));
  }
  addInto(total, spec.key("overhead").resourceList() ?? {});
  return total;
}

/** The running containers' limits; undefined when none sets any. */
export function podLimits(pod: Field): ResourceList | undefined {
  const total = runningTotal(pod.key("spec"), "limits");
  return Object.keys(total).length > 0 ? total : undefined;
}

/**
 * The pod's cpu-model-migration and cpu-feature selectors. After a host-model migration KubeVirt copies
 * them from the source pod to every later target, so they bind the VM to CPUs like its first host's.
 */
export function migrationSelectorsOf(pod: Field): Record<string, string> | undefined {
  const selectors = Object.entries(pod.key("spec").key("nodeSelector").stringMap() ?? {}).filter(([key]) =>
    MIGRATION_SELECTOR_PREFIXES.some((prefix) => key.startsWith(prefix)),
  );
  return selectors.length > 0 ? Object.fromEntries(selectors) : undefined;
}
