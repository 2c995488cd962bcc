/**
 * Node objects for a pool's hosts, as a kubelet and KubeVirt's node-labeller and heartbeat would
 * have left them on a healthy cluster: the full label set, capacity and allocatable, taints,
 * Ready conditions, addresses and node info.
 */
import { LABEL } from "../../core/model/kubevirt-labels.ts";
import type { Rng } from "../../core/numeric/rng.ts";
import type { KubeObject } from "../api/types.ts";
import { uuid } from "../store/uid.ts";
import { hostLabels } from "../../synth/node-builder.ts";
import { GiB, MiB } from "../../synth/units.ts";
import { MIGRATION_BANDWIDTH_ANNOTATION, NUMA_ANNOTATION, POOL_LABEL } from "./annotations.ts";
import { CPU_GENERATIONS, cpuLabels } from "./cpu-labels.ts";
import type { PlannedNode } from "./layout.ts";
import { type NodeResources, type ResourceAmounts, poolResources } from "./node-resources.ts";
import type { NodePool } from "./pool-schema.ts";
import { bytesQuantity, cpuQuantity, kubeletMemory } from "./quantities.ts";

const KUBELET_VERSION = "v1.32.0";

/** Everything the nodes of one pool share, computed once per pool. */
export interface PoolShape {
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly resources: NodeResources;
  readonly capacity: Readonly<Record<string, string>>;
  readonly allocatable: Readonly<Record<string, string>>;
}

function instanceType(pool: NodePool): string {
  return `${pool.name}-${pool.cores}c-${Math.round(pool.memory / GiB)}g`;
}

/** Every label the twin gives a pool's hosts: KubeVirt's, the CPU model's, the pool's own. */
export function poolLabels(pool: NodePool): Record<string, string> {
  const labels = hostLabels({
    instanceType: instanceType(pool),
    cpuManager: pool.cpuManager,
    cpuLabels: pool.cpu === undefined ? (pool.cpuLabels ?? {}) : cpuLabels(CPU_GENERATIONS[pool.cpu]),
  });
  labels[POOL_LABEL] = pool.name;
  if (pool.gpus > 0) {
    labels["nvidia.com/gpu.present"] = "true";
    labels["nvidia.com/gpu.count"] = String(pool.gpus);
  }
  return { ...labels, ...pool.labels };
}

/** CPUs and memory split evenly over the cells; hugepages as whole pages per cell. */
function numaLayout(pool: NodePool): unknown {
  const { cells, topologyPolicy } = pool.numa;
  const perCell = Math.floor(pool.cores / cells);
  const pages = (size: "1Gi" | "2Mi", pageBytes: number): number =>
    Math.floor((pool.hugepages[size] ?? 0) / pageBytes / cells);
  return {
    topologyPolicy,
    cells: Array.from({ length: cells }, (_, id) => ({
      id,
      cpus: perCell === 1 ? `${id}` : `${id * perCell}-${(id + 1) * perCell - 1}`,
      memory: Math.floor(pool.memory / cells),
      hugepages: { "1Gi": pages("1Gi", GiB), "2Mi": pages("2Mi", 2 * MiB) },
    })),
  };
}

function formatted(amounts: ResourceAmounts): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(amounts)) {
    if (name === "cpu") out[name] = cpuQuantity(value);
    else if (name === "memory") out[name] = kubeletMemory(value);
    else if (name.startsWith("hugepages-") || name === "ephemeral-storage") out[name] = bytesQuantity(value);
    else out[name] = String(value);
  }
  return out;
}

export function poolShape(pool: NodePool): PoolShape {
  const resources = poolResources(pool);
  const annotations: Record<string, string> = {
    "node.alpha.kubernetes.io/ttl": "0",
    "volumes.kubernetes.io/controller-managed-attach-detach": "true",
    [NUMA_ANNOTATION]: JSON.stringify(numaLayout(pool)),
  };
  if (pool.migrationBandwidth !== undefined)
    annotations[MIGRATION_BANDWIDTH_ANNOTATION] = String(Math.round(pool.migrationBandwidth));
  return {
    labels: poolLabels(pool),
    annotations,
    resources,
    capacity: formatted(resources.capacity),
    allocatable: formatted(resources.allocatable),
  };
}

/** 10.x.y.z, counted over the whole cluster so no two nodes share one. */
function internalIp(ordinal: number): string {
  return `10.${Math.floor(ordinal / 62_500) + 128}.${Math.floor(ordinal / 250) % 250}.${(ordinal % 250) + 1}`;
}

function conditions(now: string): unknown[] {
  const condition = (type: string, status: string, reason: string, message: string): unknown => ({
    type,
    status,
    reason,
    message,
    lastHeartbeatTime: now,
    lastTransitionTime: now,
  });
  return [
    condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
    condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
    condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
    condition("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
  ];
}

function nodeInfo(rng: Rng): Record<string, string> {
  return {
    machineID: uuid(rng).replaceAll("-", ""),
    systemUUID: uuid(rng),
    bootID: uuid(rng),
    kernelVersion: "5.14.0-570.el9_6.x86_64",
    osImage: "Red Hat Enterprise Linux CoreOS 9.6",
    containerRuntimeVersion: "cri-o://1.32.4",
    kubeletVersion: KUBELET_VERSION,
    kubeProxyVersion: "",
    operatingSystem: "linux",
    architecture: "amd64",
  };
}

export interface NodeContext {
  readonly now: string;
  /** Machine and boot IDs. */
  readonly rng: Rng;
}

export function nodeObject(node: PlannedNode, shape: PoolShape, context: NodeContext): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name: node.name,
      labels: { ...shape.labels, [LABEL.zone]: node.zone, [LABEL.hostname]: node.name },
      annotations: { ...shape.annotations },
    },
    spec: { providerID: `kubedrs-twin://${node.name}`, taints: node.pool.taints.map((taint) => ({ ...taint })) },
    status: {
      capacity: { ...shape.capacity },
      allocatable: { ...shape.allocatable },
      conditions: conditions(context.now),
      addresses: [
        { type: "InternalIP", address: internalIp(node.ordinal) },
        { type: "Hostname", address: node.name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: nodeInfo(context.rng),
    },
  };
}
