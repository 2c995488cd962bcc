/**
 * A ClusterSnapshot from the raw objects the controller's informers (or `kubectl get -o yaml`) hold.
 * Odd objects are left out with a warning that names them and the field; nothing here throws.
 */
import type { V1Lease, V1Namespace, V1Node, V1PersistentVolumeClaim, V1Pod } from "@kubernetes/client-node";
import {
  type ClusterSnapshot,
  SNAPSHOT_API_VERSION,
  type SnapshotNode,
  type SnapshotVm,
} from "../../../core/model/snapshot.ts";
import { compact, isDefined } from "./compact.ts";
import type { Converted } from "./issues.ts";
import { groupBy, indexBy, launcherPodOn, launcherPodsByVmiUid, sortedByKey } from "./join.ts";
import { kubevirtFromKube } from "./kubevirt.ts";
import { describeObject, type JsonObject, type KubeObject, namespacedName, ownerName, peekString } from "./meta.ts";
import { migrationPolicyFromKube } from "./migration-policy.ts";
import { migrationFromKube } from "./migration.ts";
import { namespaceFromKube } from "./namespace.ts";
import { NODE_LEASE_NAMESPACE } from "./node-lease.ts";
import { nodeMaintenanceFromKube } from "./node-maintenance.ts";
import { nodeFromKube } from "./node.ts";
import { vmFromKube, type VmSources } from "./vm.ts";

/** The raw objects a snapshot is built from; every list may be left out. */
export interface KubeObjects {
  /** RFC 3339 time the objects were read; planning uses it as `now`. */
  readonly takenAt: string;
  readonly name?: string;
  readonly nodes?: readonly KubeObject<V1Node>[];
  /** Pods; only virt-launcher pods are read. */
  readonly pods?: readonly KubeObject<V1Pod>[];
  readonly vmis?: readonly JsonObject[];
  readonly vms?: readonly JsonObject[];
  readonly vmims?: readonly JsonObject[];
  readonly migrationPolicies?: readonly JsonObject[];
  /** The KubeVirt CR; KubeVirt's defaults apply without it. */
  readonly kubevirt?: JsonObject;
  readonly namespaces?: readonly KubeObject<V1Namespace>[];
  /** medik8s NodeMaintenance objects (nodemaintenance.medik8s.io/v1beta1). */
  readonly nodeMaintenances?: readonly JsonObject[];
  /** Leases; only those in kube-node-lease are read. */
  readonly leases?: readonly KubeObject<V1Lease>[];
  readonly pvcs?: readonly KubeObject<V1PersistentVolumeClaim>[];
  /** NodeResourceTopology objects (topology.node.k8s.io/v1alpha2), named after their nodes. */
  readonly nodeTopologies?: readonly JsonObject[];
  /** What each host's BMC last said of its power, by node name (the controller asks suspect nodes' BMCs). */
  readonly power?: ReadonlyMap<string, NonNullable<SnapshotNode["power"]>>;
}

export interface SnapshotFromObjects {
  readonly snapshot: ClusterSnapshot;
  /** One sentence per object left out or field ignored, naming the object and the field. */
  readonly warnings: string[];
}

/** Without metrics there is no usage; the window is the schema's default. */
const USAGE_WINDOW_SECONDS = 600;

const FINAL_VMI_PHASES: ReadonlySet<string | undefined> = new Set(["Succeeded", "Failed"]);

function convertAll<T, R>(
  objects: readonly T[] | undefined,
  convert: (object: T) => Converted<R>,
  warnings: string[],
): R[] {
  return sortedByKey(objects)
    .map((object) => {
      const converted = convert(object);
      warnings.push(...converted.warnings);
      return converted.value;
    })
    .filter(isDefined);
}

function nameOf(object: unknown): string | undefined {
  return peekString(object, ["metadata", "name"]);
}

function maintenanceNodeName(object: unknown): string | undefined {
  return peekString(object, ["spec", "nodeName"]);
}

/** NodeMaintenances that no node will read: say why, so a typo in spec.nodeName does not go unnoticed. */
function warnUnmatchedMaintenances(objects: KubeObjects, nodeNames: ReadonlySet<string>, warnings: string[]): void {
  for (const object of sortedByKey(objects.nodeMaintenances)) {
    const target = maintenanceNodeName(object);
    if (target === undefined) warnings.push(...nodeMaintenanceFromKube(object).warnings);
    else if (!nodeNames.has(target)) {
      warnings.push(
        `${describeObject("NodeMaintenance", object)} names node ${target}, which is not in the snapshot; ignored`,
      );
    }
  }
}

function convertNodes(objects: KubeObjects, warnings: string[]): SnapshotNode[] {
  const nodeLeases = (objects.leases ?? []).filter(
    (lease) => peekString(lease, ["metadata", "namespace"]) === NODE_LEASE_NAMESPACE,
  );
  const leases = indexBy(nodeLeases, nameOf);
  const topologies = indexBy(objects.nodeTopologies ?? [], nameOf);
  const maintenances = groupBy(objects.nodeMaintenances ?? [], maintenanceNodeName);
  const nodes = convertAll(
    objects.nodes,
    (node) => {
      const name = nameOf(node) ?? "";
      const extras = compact({
        lease: leases.get(name),
        topology: topologies.get(name),
        nodeMaintenances: maintenances.get(name),
        power: objects.power?.get(name),
      });
      return nodeFromKube(node, extras);
    },
    warnings,
  );
  warnUnmatchedMaintenances(objects, new Set(nodes.map((node) => node.name)), warnings);
  return nodes;
}

/** Why a VMI has no place in the snapshot, or undefined when it runs on a node. */
function whyNotRunning(vmi: JsonObject): string | undefined {
  const phase = peekString(vmi, ["status", "phase"]);
  if (FINAL_VMI_PHASES.has(phase)) return `is ${phase} (final)`;
  if (peekString(vmi, ["status", "nodeName"]) === undefined) {
    return `is not placed on a node yet (phase ${phase ?? "unset"})`;
  }
  return undefined;
}

interface VmJoins {
  readonly podsByVmi: ReadonlyMap<string, readonly KubeObject<V1Pod>[]>;
  readonly vmsByKey: ReadonlyMap<string, JsonObject>;
  readonly pvcsByNamespace: ReadonlyMap<string, readonly KubeObject<V1PersistentVolumeClaim>[]>;
  /** Whether pods were given at all: only then is a missing virt-launcher pod worth a warning. */
  readonly podsListed: boolean;
}

interface JoinedVmi {
  readonly sources: VmSources;
  /** Set when pods were listed but none of them is this VMI's launcher on its node. */
  readonly missingPod: string | undefined;
}

function joinVmi(vmi: JsonObject, joins: VmJoins): JoinedVmi {
  const namespace = peekString(vmi, ["metadata", "namespace"]);
  const node = peekString(vmi, ["status", "nodeName"]) ?? "";
  const uid = peekString(vmi, ["metadata", "uid"]);
  const pod = launcherPodOn(uid === undefined ? undefined : joins.podsByVmi.get(uid), node);
  const vmName = ownerName(vmi, "VirtualMachine") ?? peekString(vmi, ["metadata", "name"]);
  const sources = compact({
    pod,
    vm: joins.vmsByKey.get(namespacedName(namespace, vmName)),
    pvcs: joins.pvcsByNamespace.get(namespace ?? ""),
  });
  const missingPod =
    pod === undefined && joins.podsListed
      ? `${describeObject("VirtualMachineInstance", vmi)}: no virt-launcher pod on node ${node}; requests are taken from the VMI spec`
      : undefined;
  return { sources, missingPod };
}

/** Converts a placed VMI; a missing launcher pod is only worth a warning for a VMI that makes it in. */
function convertVmi(vmi: JsonObject, joins: VmJoins): Converted<SnapshotVm> {
  const { sources, missingPod } = joinVmi(vmi, joins);
  const converted = vmFromKube(vmi, sources);
  if (converted.value === undefined || missingPod === undefined) return converted;
  return { value: converted.value, warnings: [...converted.warnings, missingPod] };
}

function convertVms(objects: KubeObjects, warnings: string[]): SnapshotVm[] {
  const joins: VmJoins = {
    podsByVmi: launcherPodsByVmiUid(objects.pods ?? []),
    vmsByKey: indexBy(objects.vms ?? [], (vm) => namespacedName(peekString(vm, ["metadata", "namespace"]), nameOf(vm))),
    pvcsByNamespace: groupBy(objects.pvcs ?? [], (pvc) => peekString(pvc, ["metadata", "namespace"])),
    podsListed: objects.pods !== undefined,
  };
  const placed = sortedByKey(objects.vmis).filter((vmi) => {
    const reason = whyNotRunning(vmi);
    if (reason !== undefined) warnings.push(`${describeObject("VirtualMachineInstance", vmi)} ${reason}; left out`);
    return reason === undefined;
  });
  return convertAll(placed, (vmi) => convertVmi(vmi, joins), warnings);
}

/**
 * Builds the snapshot. Objects are visited in namespace/name order, so nodes, VMs, migrations and the
 * warnings come out sorted and the same objects always give the same snapshot.
 */
export function snapshotFromObjects(objects: KubeObjects): SnapshotFromObjects {
  const warnings: string[] = [];
  const kubevirt = kubevirtFromKube(objects.kubevirt);
  warnings.push(...kubevirt.warnings);
  const snapshot: ClusterSnapshot = {
    apiVersion: SNAPSHOT_API_VERSION,
    kind: "ClusterSnapshot",
    metadata: { name: objects.name ?? "snapshot" },
    takenAt: objects.takenAt,
    usageWindow: USAGE_WINDOW_SECONDS,
    kubevirt: kubevirt.value,
    namespaces: convertAll(objects.namespaces, namespaceFromKube, warnings),
    nodes: convertNodes(objects, warnings),
    vms: convertVms(objects, warnings),
    migrations: convertAll(objects.vmims, migrationFromKube, warnings),
    migrationPolicies: convertAll(objects.migrationPolicies, migrationPolicyFromKube, warnings),
  };
  return { snapshot, warnings };
}
