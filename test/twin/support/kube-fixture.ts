/**
 * A twin with a few nodes, for the simulated Kubernetes' tests: builders for nodes and pods with
 * an override hook (descheduler's BuildTestNode(..., apply) style), and short reads of what the
 * store holds.
 */
import type { KubeObject } from "../../../src/twin/api/types.ts";
import type { ResourceType } from "../../../src/twin/api/resources.ts";
import { Twin } from "../../../src/twin/twin.ts";

export const START = Date.UTC(2026, 0, 1);
export const GiB = 1024 ** 3;

export interface NodeOptions {
  cpu?: string;
  memory?: string;
  pods?: string;
  labels?: Record<string, string>;
  /** Extra allocatable resources: hugepages-1Gi, nvidia.com/gpu, devices.kubevirt.io/kvm… */
  extra?: Record<string, string>;
  /** Register a host in the ground truth (default), so a kubelet runs for the node. */
  host?: boolean;
}

export interface PodOptions {
  namespace?: string;
  cpu?: string;
  memory?: string;
  labels?: Record<string, string>;
  /** Requests beyond cpu and memory. */
  extra?: Record<string, string>;
  node?: string;
}

export function buildNode(name: string, options: NodeOptions = {}, apply?: (node: KubeObject) => void): KubeObject {
  const capacity = {
    cpu: options.cpu ?? "16",
    memory: options.memory ?? "64Gi",
    pods: options.pods ?? "110",
    ...options.extra,
  };
  const node: KubeObject = {
    metadata: { name, labels: { "kubernetes.io/hostname": name, ...options.labels } },
    spec: {},
    status: { capacity, allocatable: { ...capacity } },
  };
  apply?.(node);
  return node;
}

export function buildPod(name: string, options: PodOptions = {}, apply?: (pod: KubeObject) => void): KubeObject {
  const requests: Record<string, string> = { ...options.extra };
  if (options.cpu) requests.cpu = options.cpu;
  if (options.memory) requests.memory = options.memory;
  const pod: KubeObject = {
    metadata: { name, namespace: options.namespace ?? "default", labels: { ...options.labels } },
    spec: {
      containers: [{ name: "main", image: "quay.io/kubedrs/test:1", resources: { requests } }],
      ...(options.node && { nodeName: options.node }),
    },
  };
  apply?.(pod);
  return pod;
}

export class KubeFixture {
  readonly twin: Twin;

  constructor(seed = 1) {
    this.twin = Twin.create({ seed, start: START });
    this.namespace("default");
    this.namespace("kube-node-lease");
  }

  get runtime(): Twin["runtime"] {
    return this.twin.runtime;
  }

  get resources(): Twin["runtime"]["resources"] {
    return this.twin.runtime.resources;
  }

  namespace(name: string): KubeObject {
    return this.runtime.store.create(this.resources.namespaces, { metadata: { name } });
  }

  node(name: string, options: NodeOptions = {}, apply?: (node: KubeObject) => void): KubeObject {
    if (options.host !== false) this.runtime.truth.addHost(name);
    return this.runtime.store.create(this.resources.nodes, buildNode(name, options, apply));
  }

  pod(name: string, options: PodOptions = {}, apply?: (pod: KubeObject) => void): KubeObject {
    return this.runtime.store.create(this.resources.pods, buildPod(name, options, apply));
  }

  create(resource: ResourceType, object: KubeObject): KubeObject {
    return this.runtime.store.create(resource, object);
  }

  getPod(name: string, namespace = "default"): KubeObject | undefined {
    return this.runtime.store.get(this.resources.pods, namespace, name);
  }

  mustPod(name: string, namespace = "default"): KubeObject {
    const pod = this.getPod(name, namespace);
    if (!pod) throw new Error(`no pod ${namespace}/${name}`);
    return pod;
  }

  getNode(name: string): KubeObject {
    const node = this.runtime.store.get(this.resources.nodes, undefined, name);
    if (!node) throw new Error(`no node ${name}`);
    return node;
  }

  /** Advances virtual time by `seconds` (fractions allowed). */
  advance(seconds: number): void {
    this.twin.advance(Math.round(seconds * 1000));
  }

  /** Runs what is due at the current instant. */
  settle(): void {
    this.twin.advance(0);
  }

  now(): number {
    return this.runtime.clock.now();
  }

  /** The reasons and messages of the Events about an object, in the order they were first recorded. */
  events(name: string, reason?: string): { reason: string; message: string; type: string; count: number }[] {
    return this.runtime.store
      .list(this.resources.events)
      .filter((event) => (event.involvedObject as { name?: string } | undefined)?.name === name)
      .filter((event) => reason === undefined || event.reason === reason)
      .map((event) => ({
        reason: String(event.reason),
        message: String(event.message),
        type: String(event.type),
        count: Number(event.count),
      }));
  }
}

/** A fixture with namespaces default and kube-node-lease and `nodes` registered and Ready. */
export function cluster(nodes: readonly string[] | number, seed = 1, options: NodeOptions = {}): KubeFixture {
  const fixture = new KubeFixture(seed);
  const names = typeof nodes === "number" ? Array.from({ length: nodes }, (_, index) => `node-${index + 1}`) : nodes;
  for (const name of names) fixture.node(name, options);
  fixture.settle();
  return fixture;
}

export function condition(object: KubeObject | undefined, type: string): Record<string, unknown> | undefined {
  const conditions = (object?.status?.conditions ?? []) as Record<string, unknown>[];
  return conditions.find((entry) => entry.type === type);
}

export function taintKeys(node: KubeObject): string[] {
  return ((node.spec?.taints ?? []) as { key: string; effect: string }[]).map(
    (taint) => `${taint.key}:${taint.effect}`,
  );
}

export function nodeOf(pod: KubeObject | undefined): string | undefined {
  return pod?.spec?.nodeName as string | undefined;
}

/** An override hook: the pod's containers are never restarted (virt-launcher pods are like this). */
export function restartNever(pod: KubeObject): void {
  pod.spec = { ...pod.spec, restartPolicy: "Never" };
}
