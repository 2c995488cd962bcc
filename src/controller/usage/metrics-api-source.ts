/**
 * Usage from metrics.k8s.io (metrics-server): NodeMetrics for nodes, PodMetrics of virt-launcher pods
 * for VMs. A launcher's containers are added up, since the guest's QEMU shares the pod's cgroup with
 * helpers. metrics-server measures only CPU and memory, so pressure, dirty rate and vCPU delay stay
 * absent. An item that cannot be read is skipped with a warning naming it; only a failed request
 * fails the round.
 */
import { ApiException, CustomObjectsApi, type KubeConfig } from "@kubernetes/client-node";
import { CREATED_BY_LABEL } from "../../adapters/kube/convert/join.ts";
import { parseQuantity } from "../../core/model/quantity.ts";
import type { NodeSample, UsageSample, UsageSource, VmSample } from "./types.ts";

const GROUP = "metrics.k8s.io";
const VERSION = "v1beta1";
const LAUNCHER_SELECTOR = "kubevirt.io=virt-launcher";
const LAUNCHER_LABEL = "kubevirt.io";
/**
 * KubeVirt's DeprecatedVirtualMachineNameLabel. It holds the VMI's hostname (spec.hostname, else the
 * name up to its first dot), so it names the VMI only when neither applies; a caller that knows the
 * VMIs can pass `vmiOf` and map the `kubevirt.io/created-by` UID label instead.
 */
export const VM_NAME_LABEL = "vm.kubevirt.io/name";

/** What a PodMetrics item says about its pod: enough to find the VMI it runs. */
export interface LauncherPodRef {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface MetricsApiSourceOptions {
  /** The VMI a launcher pod runs, "namespace/name"; undefined skips the pod with a warning. */
  readonly vmiOf?: (pod: LauncherPodRef) => string | undefined;
}

/** By the pod's `vm.kubevirt.io/name` label, in the pod's namespace. */
export function vmiByNameLabel(pod: LauncherPodRef): string | undefined {
  const name = pod.labels[VM_NAME_LABEL];
  return name ? `${pod.namespace}/${name}` : undefined;
}

/**
 * By the pod's kubevirt.io/created-by label (the VMI's UID) when the UID is known, else by
 * vm.kubevirt.io/name: that label holds the guest's hostname, the VMI's name only without spec.hostname.
 */
export function vmiByUidLabel(pod: LauncherPodRef, vmiByUid: ReadonlyMap<string, string>): string | undefined {
  const uid = pod.labels[CREATED_BY_LABEL];
  return (uid === undefined ? undefined : vmiByUid.get(uid)) ?? vmiByNameLabel(pod);
}

/** A metrics.k8s.io list request that failed; names the URL. */
export class MetricsApiError extends Error {
  readonly url: string;

  constructor(url: string, reason: string, cause: unknown) {
    super(`metrics.k8s.io request GET ${url} failed: ${reason}`, { cause });
    this.name = "MetricsApiError";
    this.url = url;
  }
}

export class MetricsApiSource implements UsageSource {
  readonly kind = "MetricsAPI";
  readonly #api: CustomObjectsApi;
  readonly #server: string;
  readonly #vmiOf: (pod: LauncherPodRef) => string | undefined;

  constructor(kubeconfig: KubeConfig, options: MetricsApiSourceOptions = {}) {
    this.#api = kubeconfig.makeApiClient(CustomObjectsApi);
    this.#server = (kubeconfig.getCurrentCluster()?.server ?? "").replace(/\/+$/, "");
    this.#vmiOf = options.vmiOf ?? vmiByNameLabel;
  }

  async sample(now: number): Promise<UsageSample> {
    const [nodeItems, podItems] = await Promise.all([this.#list("nodes"), this.#list("pods", LAUNCHER_SELECTOR)]);
    const warnings: string[] = [];
    const nodes = nodeSamples(nodeItems, warnings);
    const vms = vmSamples(podItems, this.#vmiOf, warnings);
    return { at: now, nodes, vms, warnings };
  }

  async #list(plural: "nodes" | "pods", labelSelector?: string): Promise<unknown[]> {
    const query = labelSelector === undefined ? "" : `?labelSelector=${encodeURIComponent(labelSelector)}`;
    const url = `${this.#server}/apis/${GROUP}/${VERSION}/${plural}${query}`;
    let body: unknown;
    try {
      body = await this.#api.listClusterCustomObject({
        group: GROUP,
        version: VERSION,
        plural,
        ...(labelSelector !== undefined && { labelSelector }),
      });
    } catch (error) {
      throw new MetricsApiError(url, reasonOf(error), error);
    }
    if (!isRecord(body) || !Array.isArray(body.items)) {
      throw new MetricsApiError(url, "the answer is not a list (no items)", undefined);
    }
    const items: unknown[] = body.items;
    return items;
  }
}

function reasonOf(error: unknown): string {
  if (error instanceof ApiException) {
    const status = statusOf(error.body);
    return typeof status?.message === "string" ? `HTTP ${error.code}: ${status.message}` : `HTTP ${error.code}`;
  }
  if (!(error instanceof Error)) return String(error);
  return error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message;
}

/** The Kubernetes Status an error answer carries; client-node hands it over as text or parsed. */
function statusOf(body: unknown): Record<string, unknown> | undefined {
  if (isRecord(body)) return body;
  if (typeof body !== "string") return undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    return isRecord(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function stringField(record: Record<string, unknown>, field: string): string | undefined {
  const value = record[field];
  return typeof value === "string" && value !== "" ? value : undefined;
}

function stringMap(value: unknown): Record<string, string> {
  const map: Record<string, string> = {};
  if (!isRecord(value)) return map;
  for (const [key, entry] of Object.entries(value)) if (typeof entry === "string") map[key] = entry;
  return map;
}

interface Usage {
  readonly cpuMillicores: number;
  readonly memoryBytes: number;
}

/** A `usage` map's CPU (cores, as a quantity) and memory; or what is wrong with it, naming the field. */
function usageOf(usage: unknown, field: string): Usage | string {
  const record = isRecord(usage) ? usage : {};
  const cpu = typeof record.cpu === "string" ? parseQuantity(record.cpu) : undefined;
  if (cpu === undefined) return `${field}.cpu ${JSON.stringify(record.cpu)} is not a quantity`;
  const memory = typeof record.memory === "string" ? parseQuantity(record.memory) : undefined;
  if (memory === undefined) return `${field}.memory ${JSON.stringify(record.memory)} is not a quantity`;
  return { cpuMillicores: cpu * 1000, memoryBytes: memory };
}

function nodeSamples(items: readonly unknown[], warnings: string[]): Map<string, NodeSample> {
  const nodes = new Map<string, NodeSample>();
  items.forEach((item, index) => {
    const record = isRecord(item) ? item : {};
    const name = isRecord(record.metadata) ? stringField(record.metadata, "name") : undefined;
    if (name === undefined) {
      warnings.push(`NodeMetrics items[${index}]: skipped: it has no metadata.name`);
      return;
    }
    const usage = usageOf(record.usage, "usage");
    if (typeof usage === "string") warnings.push(`NodeMetrics ${name}: skipped: ${usage}`);
    else nodes.set(name, usage);
  });
  return nodes;
}

/** The pod's total over its containers, or what is wrong with one of them. */
function podUsage(containers: unknown): Usage | string {
  if (!Array.isArray(containers)) return "it has no containers list";
  let cpuMillicores = 0;
  let memoryBytes = 0;
  for (const [index, container] of containers.entries()) {
    const usage = usageOf(isRecord(container) ? container.usage : undefined, `containers[${index}].usage`);
    if (typeof usage === "string") return usage;
    cpuMillicores += usage.cpuMillicores;
    memoryBytes += usage.memoryBytes;
  }
  return { cpuMillicores, memoryBytes };
}

type VmiOf = (pod: LauncherPodRef) => string | undefined;

/** The launcher pod an item describes, or undefined for a pod that is no launcher. */
function launcherRef(item: Record<string, unknown>): LauncherPodRef | undefined {
  const metadata = isRecord(item.metadata) ? item.metadata : {};
  const labels = stringMap(metadata.labels);
  // A server that ignores the label selector sends every pod; those are not ours to warn about.
  if (labels[LAUNCHER_LABEL] !== "virt-launcher") return undefined;
  return { namespace: stringField(metadata, "namespace") ?? "", name: stringField(metadata, "name") ?? "", labels };
}

/**
 * Mid-migration a VMI has two launchers, the source running the guest and the target receiving it.
 * Adding them up would count the guest twice, so each signal takes the larger of the two.
 */
function mergeLaunchers(previous: VmSample | undefined, next: Usage): VmSample {
  if (previous === undefined) return next;
  return {
    cpuMillicores: Math.max(previous.cpuMillicores ?? 0, next.cpuMillicores),
    memoryBytes: Math.max(previous.memoryBytes ?? 0, next.memoryBytes),
  };
}

function vmSamples(items: readonly unknown[], vmiOf: VmiOf, warnings: string[]): Map<string, VmSample> {
  const vms = new Map<string, VmSample>();
  items.forEach((item, index) => {
    const pod = launcherRef(isRecord(item) ? item : {});
    if (pod === undefined) return;
    const podName = pod.name === "" ? `items[${index}]` : `${pod.namespace}/${pod.name}`;
    const vm = vmiOf(pod);
    if (vm === undefined) {
      const hint = pod.labels[VM_NAME_LABEL] ? "" : ` (it has no ${VM_NAME_LABEL} label)`;
      warnings.push(`PodMetrics ${podName}: skipped: cannot tell which VMI it runs${hint}`);
      return;
    }
    const usage = podUsage(isRecord(item) ? item.containers : undefined);
    if (typeof usage === "string") warnings.push(`PodMetrics ${podName}: skipped: ${usage}`);
    else vms.set(vm, mergeLaunchers(vms.get(vm), usage));
  });
  return vms;
}
