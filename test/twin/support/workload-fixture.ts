/**
 * Fixtures for the workload tests: a twin with nodes, VMIs and virt-launcher pods written straight
 * into its store, and guests started in its ground truth, so the workload model can be tested
 * whatever state the simulated Kubernetes and KubeVirt controllers are in. Builders take an
 * override hook (descheduler's BuildTestNode(..., apply) style).
 */
import type { KubeObject } from "../../../src/twin/api/types.ts";
import { Twin } from "../../../src/twin/twin.ts";
import {
  LOAD_FACTOR_ANNOTATION,
  WORKLOAD_ANNOTATION,
  type WorkloadSpecInput,
} from "../../../src/twin/workload/index.ts";
import { type ExpositionSample as Sample, parseExposition } from "../../../src/adapters/prometheus/exposition.ts";

/** Midnight UTC, so diurnal curves and traces start their day at the twin's start. */
export const START = Date.parse("2026-03-02T00:00:00Z");
export const GiB = 2 ** 30;
export const MiB = 2 ** 20;

export function workloadTwin(seed = 7, start = START): Twin {
  return Twin.create({ seed, start });
}

export function ensureNamespace(twin: Twin, name: string): void {
  const { store, resources } = twin.runtime;
  if (!store.get(resources.namespaces, undefined, name))
    store.create(resources.namespaces, { metadata: { name }, spec: {}, status: { phase: "Active" } });
}

export interface NodeSize {
  readonly cpu?: string;
  readonly memory?: string;
}

/** A Ready node with a capacity, and a powered host for it in the truth. */
export function addNode(twin: Twin, name: string, size: NodeSize = {}, apply?: (node: KubeObject) => void): KubeObject {
  const capacity = { cpu: size.cpu ?? "16", memory: size.memory ?? "64Gi", pods: "110" };
  const node: KubeObject = {
    metadata: { name, labels: { "kubernetes.io/hostname": name, "kubevirt.io/schedulable": "true" } },
    spec: {},
    status: {
      capacity,
      allocatable: capacity,
      conditions: [{ type: "Ready", status: "True", reason: "KubeletReady" }],
    },
  };
  apply?.(node);
  twin.runtime.truth.addHost(name);
  return twin.runtime.store.create(twin.runtime.resources.nodes, node);
}

export interface VmiOptions {
  readonly node: string;
  readonly namespace?: string;
  readonly vcpus?: number;
  readonly memory?: string;
  readonly workload?: WorkloadSpecInput | string;
  readonly loadFactor?: number | string;
  /** Start the guest in the truth (default true). */
  readonly start?: boolean;
  /** Create its virt-launcher pod, Running on the node (default true). */
  readonly launcher?: boolean;
}

function annotationsOf(options: VmiOptions): Record<string, string> {
  const annotations: Record<string, string> = {};
  if (options.workload !== undefined)
    annotations[WORKLOAD_ANNOTATION] =
      typeof options.workload === "string" ? options.workload : JSON.stringify(options.workload);
  if (options.loadFactor !== undefined) annotations[LOAD_FACTOR_ANNOTATION] = String(options.loadFactor);
  return annotations;
}

/**
 * A Running VMI on `node` with its Running virt-launcher pod, whose guest runs there; returns its
 * key, "namespace/name". The pod matters: the simulated KubeVirt fails a running VMI without one.
 */
export function addVmi(twin: Twin, name: string, options: VmiOptions, apply?: (vmi: KubeObject) => void): string {
  const namespace = options.namespace ?? "default";
  ensureNamespace(twin, namespace);
  const vmi: KubeObject = {
    metadata: {
      name,
      namespace,
      annotations: annotationsOf(options),
      labels: { "kubevirt.io/nodeName": options.node },
    },
    spec: {
      domain: {
        cpu: { cores: options.vcpus ?? 2, sockets: 1, threads: 1 },
        memory: { guest: options.memory ?? "4Gi" },
        resources: { requests: { memory: options.memory ?? "4Gi" } },
      },
    },
    status: { phase: "Running", nodeName: options.node },
  };
  apply?.(vmi);
  const created = twin.runtime.store.create(twin.runtime.resources.virtualMachineInstances, vmi);
  const key = `${namespace}/${name}`;
  if (options.launcher ?? true) {
    addLauncherPod(twin, key, options.node, (pod) => {
      pod.metadata.ownerReferences = [
        {
          apiVersion: "kubevirt.io/v1",
          kind: "VirtualMachineInstance",
          name,
          uid: created.metadata.uid ?? "",
          controller: true,
          blockOwnerDeletion: true,
        },
      ];
    });
  }
  if (options.start ?? true) twin.runtime.truth.startVm(key, options.node);
  return key;
}

/** Changes a VMI's annotations (a scenario's load spike, the runtime control). */
export function annotateVmi(twin: Twin, key: string, annotations: Record<string, string | undefined>): void {
  const [namespace, name] = key.split("/") as [string, string];
  twin.runtime.store.mutate(twin.runtime.resources.virtualMachineInstances, { namespace, name }, (vmi) => {
    const next = { ...vmi.metadata.annotations };
    for (const [annotation, value] of Object.entries(annotations)) {
      if (value === undefined) delete next[annotation];
      else next[annotation] = value;
    }
    vmi.metadata.annotations = next;
  });
}

/** A Running, Ready virt-launcher pod for a VMI, as virt-controller creates it (`suffix` tells pods apart). */
export function addLauncherPod(
  twin: Twin,
  key: string,
  node: string,
  apply?: (pod: KubeObject) => void,
  suffix = "abcde",
): KubeObject {
  const [namespace, name] = key.split("/") as [string, string];
  const pod: KubeObject = {
    metadata: {
      name: `virt-launcher-${name}-${suffix}`,
      namespace,
      labels: { "kubevirt.io": "virt-launcher", "vm.kubevirt.io/name": name },
      annotations: { "kubevirt.io/domain": name },
    },
    spec: { nodeName: node, containers: [{ name: "compute", image: "virt-launcher" }] },
    status: { phase: "Running", conditions: [{ type: "Ready", status: "True" }] },
  };
  apply?.(pod);
  return twin.runtime.store.create(twin.runtime.resources.pods, pod);
}

export interface Usage {
  readonly cpu: string;
  readonly memory: string;
}

/** A NodeMetrics or PodMetrics object (or list) as the API serves it. */
export interface Metrics {
  readonly kind: string;
  readonly apiVersion: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
  readonly timestamp: string;
  readonly window: string;
  readonly usage: Usage;
  readonly containers: readonly { readonly name: string; readonly usage: Usage }[];
  readonly items: readonly Metrics[];
}

export async function getJson(base: string, path: string): Promise<{ status: number; body: Metrics }> {
  const response = await fetch(`${base}${path}`);
  return { status: response.status, body: (await response.json()) as Metrics };
}

export async function getText(base: string, path: string): Promise<{ status: number; type: string; body: string }> {
  const response = await fetch(`${base}${path}`);
  return { status: response.status, type: response.headers.get("content-type") ?? "", body: await response.text() };
}

export { type Sample, parseExposition };

/** The one sample of `name` whose labels include `labels`. */
export function sampleOf(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): Sample {
  const found = samples.filter(
    (sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  );
  if (found.length !== 1) throw new Error(`expected one ${name} ${JSON.stringify(labels)}, found ${found.length}`);
  return found[0]!;
}

/**
 * A served twin with two 16-core, 64 GiB nodes; node-a runs tenant/db, 4 vCPUs at half load with
 * 4 of its 8 GiB resident. `running` collects the twin for the test's cleanup.
 */
export async function servedGuestTwin(running: Twin[]): Promise<{ twin: Twin; url: string; vm: string }> {
  const twin = workloadTwin();
  running.push(twin);
  addNode(twin, "node-a");
  addNode(twin, "node-b");
  const vm = addVmi(twin, "db", {
    namespace: "tenant",
    node: "node-a",
    vcpus: 4,
    memory: "8Gi",
    workload: { cpu: 0.5, memory: 0.5 },
  });
  return { twin, url: await twin.listen(), vm };
}
