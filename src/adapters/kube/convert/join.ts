/**
 * How KubeVirt relates objects, as lookups over raw lists: virt-launcher pods to their VMI by UID,
 * VMs to VMIs by owner or name, Leases and NodeResourceTopologies to nodes by name.
 */
import { keyOf, peekLabel, peekString } from "./meta.ts";
import { compareText } from "./order.ts";

/** Labels KubeVirt puts on every virt-launcher pod (pkg/virt-controller/services/template.go). */
const LAUNCHER_APP_LABEL = "kubevirt.io";
const LAUNCHER_APP = "virt-launcher";
/** On a virt-launcher pod: the UID of the VMI it runs. */
export const CREATED_BY_LABEL = "kubevirt.io/created-by";
/** The launcher pod labels the join reads; a cache may drop the rest. */
export const LAUNCHER_LABELS: readonly string[] = [LAUNCHER_APP_LABEL, CREATED_BY_LABEL];

const FINAL_POD_PHASES: ReadonlySet<string | undefined> = new Set(["Succeeded", "Failed"]);

export function indexBy<T>(objects: readonly T[], key: (object: T) => string | undefined): Map<string, T> {
  const index = new Map<string, T>();
  for (const object of objects) {
    const value = key(object);
    if (value !== undefined && !index.has(value)) index.set(value, object);
  }
  return index;
}

export function groupBy<T>(objects: readonly T[], key: (object: T) => string | undefined): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const object of objects) {
    const value = key(object);
    if (value === undefined) continue;
    const group = groups.get(value);
    if (group) group.push(object);
    else groups.set(value, [object]);
  }
  return groups;
}

/** Objects in namespace/name order, so everything built from them (warnings included) comes out sorted. */
export function sortedByKey<T>(objects: readonly T[] | undefined): T[] {
  return [...(objects ?? [])].sort((a, b) => compareText(keyOf(a), keyOf(b)));
}

export function launcherPodsByVmiUid<T>(pods: readonly T[]): Map<string, T[]> {
  const launchers = pods.filter((pod) => peekLabel(pod, LAUNCHER_APP_LABEL) === LAUNCHER_APP);
  return groupBy(launchers, (pod) => peekLabel(pod, CREATED_BY_LABEL));
}

function podNode(pod: unknown): string | undefined {
  return peekString(pod, ["spec", "nodeName"]);
}

function isFinished(pod: unknown): boolean {
  return FINAL_POD_PHASES.has(peekString(pod, ["status", "phase"]));
}

/**
 * The VMI's pod on the node it runs on. Mid-migration a VMI has a source and a target pod; the source,
 * on status.nodeName, is the one holding the VM. A finished pod left behind by an earlier migration
 * loses to a live one.
 */
export function launcherPodOn<T>(candidates: readonly T[] | undefined, nodeName: string): T | undefined {
  return (candidates ?? [])
    .filter((pod) => podNode(pod) === nodeName)
    .sort((a, b) => Number(isFinished(a)) - Number(isFinished(b)) || compareText(keyOf(a), keyOf(b)))[0];
}
