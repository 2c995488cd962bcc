/**
 * What the workload model reads from Kubernetes objects, turned into numbers once: a VMI's vCPUs
 * and guest memory, a node's capacity and the share its own system takes, and which VMI a
 * virt-launcher pod runs.
 */
import { parseQuantity } from "../../core/model/quantity.ts";
import { type KubeObject, isRecord } from "../api/types.ts";
import type { GuestSize } from "./model.ts";

export const SYSTEM_RESERVED_ANNOTATION = "twin.kubedrs.io/system-reserved";

/** Without the annotation, the host's own processes use 2 % of its CPU and 2 GiB. */
export const DEFAULT_SYSTEM_CPU_FRACTION = 0.02;
export const DEFAULT_SYSTEM_MEMORY_BYTES = 2 * 2 ** 30;

export interface NodeShape {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly cpuCores: number;
  readonly memoryBytes: number;
  readonly systemCpuCores: number;
  readonly systemMemoryBytes: number;
}

function at(object: unknown, ...keys: string[]): unknown {
  let current = object;
  for (const key of keys) current = isRecord(current) ? current[key] : undefined;
  return current;
}

function quantityAt(object: unknown, ...keys: string[]): number | undefined {
  const value = at(object, ...keys);
  if (typeof value === "number") return value;
  return typeof value === "string" ? parseQuantity(value) : undefined;
}

function countAt(object: unknown, key: string): number | undefined {
  const value = at(object, key);
  return typeof value === "number" && Number.isInteger(value) && value > 0 ? value : undefined;
}

/**
 * sockets × cores × threads when the VMI gives a topology (each defaults to 1), else the CPU limit
 * or request rounded up, as virt-launcher does; at least one.
 */
export function vcpusOf(vmi: KubeObject): number {
  const cpu = at(vmi.spec, "domain", "cpu");
  const topology = ["sockets", "cores", "threads"].map((key) => countAt(cpu, key));
  if (topology.some((count) => count !== undefined))
    return topology.reduce<number>((product, count) => product * (count ?? 1), 1);
  const resources = at(vmi.spec, "domain", "resources");
  const cores = quantityAt(resources, "limits", "cpu") ?? quantityAt(resources, "requests", "cpu") ?? 1;
  return Math.max(1, Math.ceil(cores - 1e-9));
}

/** spec.domain.memory.guest, else the memory request, else the limit; 0 when none is set. */
export function guestMemoryOf(vmi: KubeObject): number {
  const domain = at(vmi.spec, "domain");
  return (
    quantityAt(domain, "memory", "guest") ??
    quantityAt(domain, "resources", "requests", "memory") ??
    quantityAt(domain, "resources", "limits", "memory") ??
    0
  );
}

export function guestSizeOf(vmi: KubeObject): GuestSize {
  return { vcpus: vcpusOf(vmi), memoryBytes: guestMemoryOf(vmi) };
}

/** kubelet's --system-reserved syntax: "cpu=500m,memory=2Gi". Unknown or bad entries are ignored. */
export function parseSystemReserved(text: string | undefined): { cpu?: number; memory?: number } {
  const reserved: { cpu?: number; memory?: number } = {};
  for (const entry of (text ?? "").split(",")) {
    const [key, value] = entry.split("=").map((part) => part.trim());
    const amount = value === undefined ? undefined : parseQuantity(value);
    if (amount === undefined || amount < 0) continue;
    if (key === "cpu") reserved.cpu = amount;
    if (key === "memory") reserved.memory = amount;
  }
  return reserved;
}

/** A node's capacity (else allocatable) and system share; undefined when it states no CPU or memory. */
export function nodeShapeOf(node: KubeObject): NodeShape | undefined {
  const cpuCores = quantityAt(node.status, "capacity", "cpu") ?? quantityAt(node.status, "allocatable", "cpu");
  const memoryBytes = quantityAt(node.status, "capacity", "memory") ?? quantityAt(node.status, "allocatable", "memory");
  if (cpuCores === undefined || memoryBytes === undefined) return undefined;
  const reserved = parseSystemReserved(node.metadata.annotations?.[SYSTEM_RESERVED_ANNOTATION]);
  return {
    name: node.metadata.name ?? "",
    labels: node.metadata.labels ?? {},
    cpuCores,
    memoryBytes,
    systemCpuCores: Math.min(cpuCores, reserved.cpu ?? cpuCores * DEFAULT_SYSTEM_CPU_FRACTION),
    systemMemoryBytes: Math.min(memoryBytes, reserved.memory ?? DEFAULT_SYSTEM_MEMORY_BYTES),
  };
}

/**
 * The VMI key ("namespace/name") a virt-launcher pod runs: the `kubevirt.io/domain` annotation,
 * else its controlling VMI owner. Undefined for any other pod.
 */
export function launcherVmiKey(pod: KubeObject): string | undefined {
  if (pod.metadata.labels?.["kubevirt.io"] !== "virt-launcher") return undefined;
  const owner = pod.metadata.ownerReferences?.find((reference) => reference.kind === "VirtualMachineInstance");
  const name = pod.metadata.annotations?.["kubevirt.io/domain"] ?? owner?.name;
  return name === undefined ? undefined : `${pod.metadata.namespace ?? "default"}/${name}`;
}
