/**
 * The cluster model: a snapshot indexed for planning. Nodes and VMs sit in arrays sorted by name,
 * so every iteration is deterministic, and carry their specs in the shapes the plugins need.
 * It is immutable; what changes during planning lives in Placement.
 */
import { KUBEDRS, isExcluded } from "./kubedrs-labels.ts";
import { LABEL, type NodeCpu, nodeCpuFromLabels, zoneOf } from "./kubevirt-labels.ts";
import { countCpuset, type NumaDemand, type NumaLayout } from "./numa.ts";
import { parseQuantity } from "./quantity.ts";
import type { Labels, NodeSelectorTerm, Taint, Toleration } from "./selectors.ts";
import {
  MIGRATION_PHASES,
  type ClusterSnapshot,
  type MigrationConfiguration,
  type MigrationPhase,
  type SnapshotMigrationPolicy,
  type SnapshotNode,
  type SnapshotVm,
  type UsageSummary,
} from "./snapshot.ts";
import type { Affinity, PodAffinityTerm } from "../schema/fields.ts";

/** Resource amounts by Kubernetes resource name; cpu in millicores, memory and hugepages in bytes. */
export type ResourceList = Readonly<Record<string, number>>;

export interface NodeInfo {
  readonly index: number;
  readonly name: string;
  readonly labels: Labels;
  readonly annotations: Labels;
  readonly taints: readonly Taint[];
  readonly zone: string;
  /** Why the node is not Ready, or undefined when it is. */
  readonly notReadyReason: string | undefined;
  /** The Ready condition and when it last changed (ms since the epoch); Unknown when the node reports none. */
  readonly ready: { readonly status: NodeCondition["status"]; readonly since: number | undefined };
  /** The kubelet's heartbeat Lease in kube-node-lease: last renewal (ms since the epoch) and its duration. */
  readonly lease: { readonly renewedAt: number; readonly durationSeconds: number | undefined } | undefined;
  /** The host's power state as its BMC last reported it, and when (ms since the epoch); undefined when never asked. */
  readonly power: PowerReading | undefined;
  readonly unschedulable: boolean;
  readonly maintenance: string | undefined;
  /** Every condition but Ready (node-problem-detector's among them), with when it last changed. */
  readonly conditions: readonly NodeCondition[];
  readonly allocatable: ResourceList;
  readonly cpu: NodeCpu;
  readonly numa: NumaLayout | undefined;
  readonly migrationBandwidth: number | undefined;
  readonly usage: { readonly cpu: UsageSummary; readonly memory: UsageSummary } | undefined;
  readonly pressure: NonNullable<SnapshotNode["usage"]>["pressure"];
}

export interface PowerReading {
  readonly state: "On" | "Off" | "Unknown";
  readonly observedAt: number;
  readonly detail: string | undefined;
}

export interface NodeCondition {
  readonly type: string;
  readonly status: "True" | "False" | "Unknown";
  /** Milliseconds since the epoch, when known. */
  readonly since: number | undefined;
}

export type CpuMode = "host-model" | "host-passthrough" | "named";

export interface VmCpu {
  readonly mode: CpuMode;
  /** The named model, or the mode itself for host-model / host-passthrough. */
  readonly model: string;
  readonly vcpus: number;
  readonly dedicated: boolean;
  readonly realtime: boolean;
  readonly numaPassthrough: boolean;
  readonly requiredFeatures: readonly string[];
  readonly forbiddenFeatures: readonly string[];
}

export interface VmUsage {
  readonly cpu: UsageSummary;
  readonly memory: UsageSummary;
  readonly dirtyRate: UsageSummary | undefined;
  readonly vcpuDelay: number | undefined;
}

export interface VmInfo {
  readonly index: number;
  /** namespace/name */
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
  readonly owner: string | undefined;
  readonly phase: SnapshotVm["phase"];
  readonly labels: Labels;
  readonly annotations: Labels;
  readonly namespaceLabels: Labels;
  /** The node the VM runs on in the snapshot. */
  readonly node: number;
  readonly requests: ResourceList;
  /** Bytes a live migration has to copy. */
  readonly guestMemory: number;
  readonly cpu: VmCpu;
  readonly numaDemand: NumaDemand;
  readonly machineType: string | undefined;
  readonly tscFrequency: number | undefined;
  readonly nodeSelector: Labels;
  readonly requiredNodeTerms: readonly NodeSelectorTerm[] | undefined;
  readonly affinity: Affinity | undefined;
  readonly tolerations: readonly Toleration[];
  readonly runStrategy: SnapshotVm["runStrategy"];
  readonly evictionStrategy: NonNullable<SnapshotVm["evictionStrategy"]>;
  readonly liveMigratable: SnapshotVm["liveMigratable"];
  readonly volumes: SnapshotVm["volumes"];
  readonly hostDevices: SnapshotVm["hostDevices"];
  readonly sriovNetworks: SnapshotVm["sriovNetworks"];
  readonly migrationSelectors: Labels | undefined;
  readonly excluded: boolean;
  readonly restartPriority: string | undefined;
  readonly usage: VmUsage | undefined;
}

export interface MigrationInfo {
  readonly namespace: string;
  readonly name: string;
  /** Index of the VM, or -1 when the VMI is not in the snapshot. */
  readonly vm: number;
  readonly phase: MigrationPhase;
  readonly source: number;
  readonly target: number;
  readonly createdAt: number;
  readonly endedAt: number | undefined;
  readonly byKubedrs: boolean;
  readonly inFlight: boolean;
}

export interface ClusterModel {
  readonly name: string;
  /** Milliseconds since the epoch; planning's `now` defaults to it. */
  readonly takenAt: number;
  readonly usageWindowSeconds: number;
  readonly nodes: readonly NodeInfo[];
  readonly vms: readonly VmInfo[];
  readonly nodeIndex: ReadonlyMap<string, number>;
  readonly vmIndex: ReadonlyMap<string, number>;
  readonly migrations: readonly MigrationInfo[];
  readonly migrationConfig: MigrationConfiguration;
  readonly migrationPolicies: readonly SnapshotMigrationPolicy[];
  readonly defaultMigrationBandwidth: number;
  readonly namespaces: ReadonlyMap<string, Labels>;
  /** Things the snapshot said that the model had to skip, one sentence each. */
  readonly warnings: readonly string[];
}

/** Every phase but the final ones: the migration still holds its target. */
export const IN_FLIGHT_PHASES: ReadonlySet<MigrationPhase> = new Set(
  MIGRATION_PHASES.filter((phase) => phase !== "Succeeded" && phase !== "Failed"),
);

function conditionReason(node: SnapshotNode): string | undefined {
  const ready = node.conditions.find((condition) => condition.type === "Ready");
  if (!ready) return "no Ready condition reported";
  if (ready.status === "True") return undefined;
  return `Ready=${ready.status}${ready.reason ? ` (${ready.reason})` : ""}`;
}

/** No Ready condition at all reads as Unknown, with no known start. */
function readyOf(node: SnapshotNode): NodeInfo["ready"] {
  const ready = node.conditions.find((condition) => condition.type === "Ready");
  return ready
    ? { status: ready.status, since: parseTime(ready.lastTransitionTime) }
    : { status: "Unknown", since: undefined };
}

/** A Lease whose renewTime does not parse is no evidence of life, so it reads as no Lease. */
function leaseOf(node: SnapshotNode): NodeInfo["lease"] {
  const renewedAt = parseTime(node.lease?.renewTime);
  return renewedAt === undefined ? undefined : { renewedAt, durationSeconds: node.lease?.durationSeconds };
}

/** A reading whose time does not parse cannot be placed after the last heartbeat, so it reads as none. */
function powerOf(node: SnapshotNode): PowerReading | undefined {
  const observedAt = parseTime(node.power?.observedAt);
  if (node.power === undefined || observedAt === undefined) return undefined;
  return { state: node.power.state, observedAt, detail: node.power.detail };
}

function maintenanceOf(node: SnapshotNode): string | undefined {
  if (node.maintenance)
    return `${node.maintenance.source}${node.maintenance.reason ? `: ${node.maintenance.reason}` : ""}`;
  const annotation = node.annotations[KUBEDRS.maintenance];
  return annotation === undefined ? undefined : `annotation ${KUBEDRS.maintenance}=${annotation}`;
}

function toNodeInfo(node: SnapshotNode, index: number): NodeInfo {
  const layout: NumaLayout | undefined = node.numa && {
    policy: node.numa.topologyPolicy,
    cells: node.numa.cells.map((cell) => ({ id: cell.id, cpus: countCpuset(cell.cpus), hugepages: cell.hugepages })),
  };
  return {
    index,
    name: node.name,
    labels: node.labels,
    annotations: node.annotations,
    taints: node.taints,
    zone: zoneOf(node.labels),
    notReadyReason: conditionReason(node),
    ready: readyOf(node),
    lease: leaseOf(node),
    power: powerOf(node),
    unschedulable: node.unschedulable,
    maintenance: maintenanceOf(node),
    conditions: node.conditions
      .filter((condition) => condition.type !== "Ready")
      .map((condition) => ({
        type: condition.type,
        status: condition.status,
        since: condition.lastTransitionTime === undefined ? undefined : Date.parse(condition.lastTransitionTime),
      })),
    allocatable: node.allocatable ?? node.capacity,
    cpu: nodeCpuFromLabels(node.labels),
    numa: layout,
    migrationBandwidth: node.migrationBandwidth,
    usage: node.usage && { cpu: node.usage.cpu, memory: node.usage.memory },
    pressure: node.usage?.pressure,
  };
}

function cpuOf(vm: SnapshotVm, clusterDefaultModel: string): VmCpu {
  const model = vm.cpu.model === "" ? clusterDefaultModel : vm.cpu.model;
  const mode: CpuMode = model === "host-model" || model === "host-passthrough" ? model : "named";
  const vcpus = vm.cpu.vcpus ?? Math.max(1, Math.ceil((vm.limits?.cpu ?? vm.requests.cpu ?? 1000) / 1000));
  return {
    mode,
    model,
    vcpus,
    dedicated: vm.cpu.dedicated,
    realtime: vm.cpu.realtime,
    numaPassthrough: vm.cpu.numaPassthrough,
    // KubeVirt selects nodes for `require` (or an empty policy) only; `force` enables a feature the host may lack.
    requiredFeatures: vm.cpu.features.filter((f) => f.policy === "require" || f.policy === "").map((f) => f.name),
    forbiddenFeatures: vm.cpu.features.filter((f) => f.policy === "forbid").map((f) => f.name),
  };
}

/** Dedicated CPUs (plus the isolated emulator thread's) and hugepages, as the kubelet takes them per NUMA cell. */
export function numaDemandOf(vm: SnapshotVm, vcpus: number): NumaDemand {
  const cpus = vm.cpu.dedicated ? vcpus + (vm.cpu.isolateEmulatorThread ? 1 : 0) : 0;
  const pageSize = vm.hugepages?.pageSize;
  const pageBytes = pageSize ? (parseQuantity(pageSize) ?? 0) : 0;
  const memory = vm.guestMemory ?? vm.requests.memory ?? 0;
  return { cpus, pageSize, pages: pageBytes > 0 ? Math.ceil(memory / pageBytes) : 0 };
}

function withPodCount(requests: ResourceList): ResourceList {
  return requests.pods === undefined ? { ...requests, pods: 1 } : requests;
}

interface VmContext {
  readonly index: number;
  readonly node: number;
  readonly snapshot: ClusterSnapshot;
  readonly namespaceLabels: Labels;
}

function toVmInfo(vm: SnapshotVm, { index, node, snapshot, namespaceLabels }: VmContext): VmInfo {
  const cpu = cpuOf(vm, snapshot.kubevirt.cpuModel);
  return {
    index,
    key: `${vm.namespace}/${vm.name}`,
    namespace: vm.namespace,
    name: vm.name,
    owner: vm.owner,
    phase: vm.phase,
    labels: vm.labels,
    annotations: vm.annotations,
    namespaceLabels,
    node,
    requests: withPodCount(vm.requests),
    guestMemory: vm.guestMemory ?? vm.requests.memory ?? 0,
    cpu,
    numaDemand: numaDemandOf(vm, cpu.vcpus),
    machineType: vm.machineType,
    tscFrequency: vm.tscFrequency,
    nodeSelector: vm.nodeSelector,
    requiredNodeTerms: vm.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms,
    affinity: vm.affinity,
    tolerations: vm.tolerations,
    runStrategy: vm.runStrategy,
    evictionStrategy: vm.evictionStrategy ?? snapshot.kubevirt.evictionStrategy,
    liveMigratable: vm.liveMigratable,
    volumes: vm.volumes,
    hostDevices: vm.hostDevices,
    sriovNetworks: vm.sriovNetworks,
    migrationSelectors: vm.migrationSelectors,
    excluded: isExcluded(vm.labels, vm.annotations) || isExcluded(namespaceLabels),
    restartPriority: vm.labels[KUBEDRS.restartPriority] ?? vm.annotations[KUBEDRS.restartPriority],
    usage: vm.usage && {
      cpu: vm.usage.cpu,
      memory: vm.usage.memory,
      dirtyRate: vm.usage.dirtyRate,
      vcpuDelay: vm.usage.vcpuDelay,
    },
  };
}

function byName<T extends { name: string }>(a: T, b: T): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function vmKeyOrder(a: SnapshotVm, b: SnapshotVm): number {
  const left = `${a.namespace}/${a.name}`;
  const right = `${b.namespace}/${b.name}`;
  return left < right ? -1 : left > right ? 1 : 0;
}

function parseTime(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

export function buildClusterModel(snapshot: ClusterSnapshot): ClusterModel {
  const warnings: string[] = [];
  const nodes = [...snapshot.nodes].sort(byName).map(toNodeInfo);
  const nodeIndex = new Map(nodes.map((node) => [node.name, node.index]));
  const namespaces = new Map(snapshot.namespaces.map((ns) => [ns.name, ns.labels]));

  const vms: VmInfo[] = [];
  for (const vm of [...snapshot.vms].sort(vmKeyOrder)) {
    const node = nodeIndex.get(vm.node);
    if (node === undefined) {
      warnings.push(
        `VM ${vm.namespace}/${vm.name} runs on node ${vm.node}, which is not in the snapshot; it is left out`,
      );
      continue;
    }
    vms.push(toVmInfo(vm, { index: vms.length, node, snapshot, namespaceLabels: namespaces.get(vm.namespace) ?? {} }));
  }
  const vmIndex = new Map(vms.map((vm) => [vm.key, vm.index]));

  const migrations: MigrationInfo[] = snapshot.migrations.map((migration) => ({
    namespace: migration.namespace,
    name: migration.name,
    vm: vmIndex.get(`${migration.namespace}/${migration.vm}`) ?? -1,
    phase: migration.phase,
    source: nodeIndex.get(migration.source ?? "") ?? -1,
    target: nodeIndex.get(migration.target ?? migration.requestedTarget ?? "") ?? -1,
    createdAt: parseTime(migration.createdAt) ?? 0,
    endedAt: parseTime(migration.endedAt),
    byKubedrs: migration.byKubedrs,
    inFlight: IN_FLIGHT_PHASES.has(migration.phase),
  }));

  return {
    name: snapshot.metadata.name,
    takenAt: parseTime(snapshot.takenAt) ?? 0,
    usageWindowSeconds: snapshot.usageWindow,
    nodes,
    vms,
    nodeIndex,
    vmIndex,
    migrations,
    migrationConfig: snapshot.kubevirt.migrations,
    migrationPolicies: snapshot.migrationPolicies,
    defaultMigrationBandwidth: snapshot.kubevirt.defaultMigrationBandwidth,
    namespaces,
    warnings,
  };
}

/** The hostname label KubeVirt's addedNodeSelector uses to pin a target, falling back to the node name. */
export function hostnameOf(node: NodeInfo): string {
  return node.labels[LABEL.hostname] ?? node.name;
}

export type { PodAffinityTerm };
