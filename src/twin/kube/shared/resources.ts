/**
 * Resource quantities as the scheduler and kubelet count them: CPU in millicores, everything
 * else (memory, hugepages-*, ephemeral-storage, extended resources such as nvidia.com/gpu) in
 * base units. A pod's request follows kube-scheduler's computePodResourceRequest: the sum over
 * its containers, at least the largest init container, plus the pod overhead.
 */
import { quantityValue, toMillicores } from "../../../core/model/quantity.ts";
import { type KubeObject, isRecord } from "../../api/types.ts";
import { asList, asRecord } from "./objects.ts";

export type ResourceAmounts = Map<string, number>;

export const CPU = "cpu";
export const MEMORY = "memory";
export const PODS = "pods";

/** kube-scheduler counts a container without requests as 100m CPU and 200Mi when scoring (schedutil.GetNonzeroRequests). */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

export function parseAmounts(value: unknown): ResourceAmounts {
  const amounts: ResourceAmounts = new Map();
  for (const [name, raw] of Object.entries(asRecord(value))) {
    if (typeof raw !== "number" && typeof raw !== "string") continue;
    const parsed = quantityValue(raw);
    if (parsed === undefined) continue;
    amounts.set(name, name === CPU ? toMillicores(parsed) : parsed);
  }
  return amounts;
}

/** Requests default to limits when unset, as API defaulting does for each resource. */
function containerRequests(container: Record<string, unknown>): ResourceAmounts {
  const resources = asRecord(container.resources);
  const requests = parseAmounts(resources.requests);
  for (const [name, limit] of parseAmounts(resources.limits)) if (!requests.has(name)) requests.set(name, limit);
  return requests;
}

export function addAmounts(target: ResourceAmounts, source: ResourceAmounts, sign = 1): void {
  for (const [name, amount] of source) target.set(name, (target.get(name) ?? 0) + sign * amount);
}

function maxInto(target: ResourceAmounts, source: ResourceAmounts): void {
  for (const [name, amount] of source) target.set(name, Math.max(target.get(name) ?? 0, amount));
}

export function podRequests(pod: KubeObject): ResourceAmounts {
  const total: ResourceAmounts = new Map();
  for (const container of asList(pod.spec?.containers).filter(isRecord))
    addAmounts(total, containerRequests(container));
  const sidecars: ResourceAmounts = new Map();
  for (const init of asList(pod.spec?.initContainers).filter(isRecord)) {
    const requests = containerRequests(init);
    if (init.restartPolicy === "Always") {
      addAmounts(total, requests);
      addAmounts(sidecars, requests);
      continue;
    }
    const whileRunning = new Map(sidecars);
    addAmounts(whileRunning, requests);
    maxInto(total, whileRunning);
  }
  addAmounts(total, parseAmounts(pod.spec?.overhead));
  return total;
}

/** CPU and memory with kube-scheduler's defaults for containers that request none, for scoring. */
export function nonZeroRequests(pod: KubeObject): { cpu: number; memory: number } {
  let cpu = 0;
  let memory = 0;
  for (const container of asList(pod.spec?.containers).filter(isRecord)) {
    const requests = containerRequests(container);
    cpu += requests.get(CPU) ?? DEFAULT_MILLI_CPU_REQUEST;
    memory += requests.get(MEMORY) ?? DEFAULT_MEMORY_REQUEST;
  }
  const overhead = parseAmounts(pod.spec?.overhead);
  return { cpu: cpu + (overhead.get(CPU) ?? 0), memory: memory + (overhead.get(MEMORY) ?? 0) };
}

export function allocatableOf(node: KubeObject): ResourceAmounts {
  const status = asRecord(node.status);
  return parseAmounts(status.allocatable ?? status.capacity);
}
