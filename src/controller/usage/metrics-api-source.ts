/**
 * Usage from metrics.k8s.io (metrics-server): NodeMetrics for nodes, PodMetrics of virt-launcher pods
 * for VMs. A launcher's containers are added up, since the guest's QEMU shares the pod's cgroup with
 * helpers. metrics-server measures only CPU and memory, so pressure, dirty rate and vCPU delay stay
 * absent. An item that cannot be read is skipped with a warning naming it; only a failed request
 * fails the round. Lists are read item by item as they arrive (the PodMetrics of 30,000 launchers
 * are 22 MB of JSON; metrics-server does not page), so no sample holds the whole answer at once.
 */
import { HttpMethod, type KubeConfig, RequestContext } from "@kubernetes/client-node";
import { fetch } from "undici";
import { forEachListItem } from "../../adapters/kube/client/list-items.ts";
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
  readonly #kubeconfig: KubeConfig;
  readonly #server: string;
  readonly #vmiOf: (pod: LauncherPodRef) => string | undefined;

  constructor(kubeconfig: KubeConfig, options: MetricsApiSourceOptions = {}) {
    this.#kubeconfig = kubeconfig;
    this.#server = (kubeconfig.getCurrentCluster()?.server ?? "").replace(/\/+$/, "");
    this.#vmiOf = options.vmiOf ?? vmiByNameLabel;
  }

  async sample(now: number): Promise<UsageSample> {
    const nodes = new Map<string, NodeSample>();
    const vms = new Map<string, VmSample>();
    const nodeWarnings: string[] = [];
    const vmWarnings: string[] = [];
    await Promise.all([
      this.#list("nodes", undefined, (item, index) => addNode(nodes, item, index, nodeWarnings)),
      this.#list("pods", LAUNCHER_SELECTOR, (item, index) =>
        addVm(vms, { item, index, vmiOf: this.#vmiOf }, vmWarnings),
      ),
    ]);
    return { at: now, nodes, vms, warnings: [...nodeWarnings, ...vmWarnings] };
  }

  /** Hands each item of the list to `onItem` as it arrives. */
  async #list(
    plural: "nodes" | "pods",
    labelSelector: string | undefined,
    onItem: (item: unknown, index: number) => void,
  ): Promise<void> {
    const query = labelSelector === undefined ? "" : `?labelSelector=${encodeURIComponent(labelSelector)}`;
    const url = `${this.#server}/apis/${GROUP}/${VERSION}/${plural}${query}`;
    let list: boolean;
    try {
      const body = await this.#get(url);
      list = await forEachListItem(body, onItem);
    } catch (error) {
      throw error instanceof MetricsApiError ? error : new MetricsApiError(url, reasonOf(error), error);
    }
    if (!list) throw new MetricsApiError(url, "the answer is not a list (no items)", undefined);
  }

  /** The answer's body, authenticated as the kubeconfig says (the same request client-node's APIs make). */
  async #get(url: string): Promise<AsyncIterable<Uint8Array>> {
    const context = new RequestContext(url, HttpMethod.GET);
    await this.#kubeconfig.applySecurityAuthentication(context);
    const dispatcher = context.getDispatcher();
    const response = await fetch(url, {
      headers: { ...context.getHeaders(), accept: "application/json" },
      ...(dispatcher !== undefined && { dispatcher }),
    });
    if (!response.ok) {
      const message = statusOf(await response.text())?.message;
      const reason = typeof message === "string" ? `HTTP ${response.status}: ${message}` : `HTTP ${response.status}`;
      throw new MetricsApiError(url, reason, undefined);
    }
    return response.body ?? emptyBody();
  }
}

async function* emptyBody(): AsyncGenerator<Uint8Array> {}

function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message;
}

/** The Kubernetes Status an error answer carries. */
function statusOf(body: string): Record<string, unknown> | undefined {
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

function addNode(nodes: Map<string, NodeSample>, item: unknown, index: number, warnings: string[]): void {
  const record = isRecord(item) ? item : {};
  const name = isRecord(record.metadata) ? stringField(record.metadata, "name") : undefined;
  if (name === undefined) {
    warnings.push(`NodeMetrics items[${index}]: skipped: it has no metadata.name`);
    return;
  }
  const usage = usageOf(record.usage, "usage");
  if (typeof usage === "string") warnings.push(`NodeMetrics ${name}: skipped: ${usage}`);
  else nodes.set(name, usage);
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

interface PodItem {
  readonly item: unknown;
  readonly index: number;
  readonly vmiOf: VmiOf;
}

function addVm(vms: Map<string, VmSample>, { item, index, vmiOf }: PodItem, warnings: string[]): void {
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
}
