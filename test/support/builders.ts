/**
 * Fixture builders with an override hook (descheduler's BuildTestNode(..., apply) style): a
 * sensible default object, changed in place by `apply` for the case at hand. They build the file
 * form of a snapshot, which `snapshotOf` parses the way a real snapshot file is parsed.
 */
import { buildClusterModel, type ClusterModel } from "../../src/core/model/cluster.ts";
import { Placement } from "../../src/core/model/placement.ts";
import {
  type ClusterSnapshot,
  type ClusterSnapshotInput,
  clusterSnapshotSchema,
} from "../../src/core/model/snapshot.ts";

export type NodeInput = NonNullable<ClusterSnapshotInput["nodes"]>[number];
export type VmInput = NonNullable<ClusterSnapshotInput["vms"]>[number];
type Mutable<T> = { -readonly [K in keyof T]: T[K] };
/** The override hooks' arguments: a node or VM in file form, to change in place. */
export type MutableNode = Mutable<NodeInput>;
export type MutableVm = Mutable<VmInput>;
export type MutableSnapshot = Mutable<ClusterSnapshotInput>;

export const INTEL_LABELS = {
  "cpu-vendor.node.kubevirt.io/Intel": "true",
  "host-model-cpu.node.kubevirt.io/Skylake-Server-IBRS": "true",
  "cpu-model.node.kubevirt.io/Skylake-Server-IBRS": "true",
  "cpu-model-migration.node.kubevirt.io/Skylake-Server-IBRS": "true",
  "cpu-feature.node.kubevirt.io/avx512f": "true",
} as const;

export const AMD_LABELS = {
  "cpu-vendor.node.kubevirt.io/AMD": "true",
  "host-model-cpu.node.kubevirt.io/EPYC-Milan": "true",
  "cpu-model.node.kubevirt.io/EPYC-Milan": "true",
  "cpu-model-migration.node.kubevirt.io/EPYC-Milan": "true",
} as const;

export function buildNode(
  name: string,
  size: { cpu?: string; memory?: string } = {},
  apply?: (node: Mutable<NodeInput>) => void,
): NodeInput {
  const node: Mutable<NodeInput> = {
    name,
    labels: {
      "kubernetes.io/hostname": name,
      "kubevirt.io/schedulable": "true",
      "topology.kubernetes.io/zone": "zone-a",
      ...INTEL_LABELS,
    },
    capacity: { cpu: size.cpu ?? "32", memory: size.memory ?? "128Gi", pods: 110 },
  };
  apply?.(node);
  return node;
}

export function buildVm(
  name: string,
  node: string,
  size: { cpu?: string; memory?: string; used?: string } = {},
  apply?: (vm: Mutable<VmInput>) => void,
): VmInput {
  const vm: Mutable<VmInput> = {
    namespace: "default",
    name,
    node,
    labels: { app: name },
    requests: { cpu: size.cpu ?? "2", memory: size.memory ?? "4Gi" },
    guestMemory: size.memory ?? "4Gi",
    usage: { cpu: size.used ?? size.cpu ?? "2", memory: size.memory ?? "4Gi", dirtyRate: 4 * 2 ** 20 },
  };
  apply?.(vm);
  return vm;
}

export function snapshotOf(
  nodes: NodeInput[],
  vms: VmInput[],
  apply?: (snapshot: Mutable<ClusterSnapshotInput>) => void,
): ClusterSnapshot {
  const input: Mutable<ClusterSnapshotInput> = {
    apiVersion: "kubedrs.io/v1alpha1",
    kind: "ClusterSnapshot",
    metadata: { name: "test" },
    takenAt: "2026-11-22T10:00:00Z",
    nodes,
    vms,
  };
  apply?.(input);
  return clusterSnapshotSchema.parse(input);
}

export function modelOf(
  nodes: NodeInput[],
  vms: VmInput[],
  apply?: (snapshot: Mutable<ClusterSnapshotInput>) => void,
): ClusterModel {
  return buildClusterModel(snapshotOf(nodes, vms, apply));
}

export function placementOf(model: ClusterModel): Placement {
  return Placement.fromModel(model);
}

export const NOW = Date.parse("2026-11-22T10:00:00Z");
