/** A Kubernetes Node, with its Lease, NUMA topology and maintenance state, as the snapshot's node. */
import type { V1Lease, V1Node } from "@kubernetes/client-node";
import type { SnapshotNode } from "../../../core/model/snapshot.ts";
import { compact } from "./compact.ts";
import { CONDITION_STATUSES } from "./enums.ts";
import { Field } from "./field.ts";
import { type Converted, Issues } from "./issues.ts";
import { describeObject, type JsonObject, type KubeObject } from "./meta.ts";
import { leaseFromKube, type NodeLease } from "./node-lease.ts";
import { maintenanceOf, nodeMaintenanceFromKube, type NodeMaintenanceRequest } from "./node-maintenance.ts";
import { type NodeNuma, numaFromTopology } from "./node-topology.ts";
import { taintFrom } from "./scheduling.ts";

type NodeCondition = SnapshotNode["conditions"][number];

/** What the snapshot knows about a node besides the Node object itself. */
export interface NodeExtras {
  /** The node's NodeResourceTopology (topology.node.k8s.io/v1alpha2). */
  readonly topology?: JsonObject;
  /** An already-shaped NUMA layout; wins over `topology`. */
  readonly numa?: NodeNuma;
  /** The node's Lease from kube-node-lease. */
  readonly lease?: KubeObject<V1Lease>;
  /** medik8s NodeMaintenance objects; those naming other nodes are ignored. */
  readonly nodeMaintenances?: readonly JsonObject[];
  readonly usage?: SnapshotNode["usage"];
  /** What the host's BMC last said of its power. */
  readonly power?: SnapshotNode["power"];
}

function conditionFrom(field: Field): NodeCondition | undefined {
  const type = field.key("type").required().string();
  const status = field.key("status").required().oneOf(CONDITION_STATUSES);
  if (type === undefined || status === undefined) return undefined;
  return compact({
    type,
    status,
    reason: field.key("reason").string(),
    message: field.key("message").string(),
    lastTransitionTime: field.key("lastTransitionTime").timestamp(),
    lastHeartbeatTime: field.key("lastHeartbeatTime").timestamp(),
  });
}

function numaOf(extras: NodeExtras, issues: Issues): NodeNuma | undefined {
  if (extras.numa !== undefined) return extras.numa;
  return extras.topology === undefined ? undefined : issues.adopt(numaFromTopology(extras.topology));
}

function leaseOf(extras: NodeExtras, issues: Issues): NodeLease | undefined {
  return extras.lease === undefined ? undefined : issues.adopt(leaseFromKube(extras.lease));
}

function maintenanceRequests(extras: NodeExtras, issues: Issues): NodeMaintenanceRequest[] {
  return (extras.nodeMaintenances ?? [])
    .map((object) => issues.adopt(nodeMaintenanceFromKube(object)))
    .filter((request): request is NodeMaintenanceRequest => request !== undefined);
}

/**
 * Converts a Node. An odd NodeResourceTopology, Lease or NodeMaintenance costs only that piece
 * (with a warning); an odd Node is left out.
 */
export function nodeFromKube(node: KubeObject<V1Node>, extras: NodeExtras = {}): Converted<SnapshotNode> {
  const issues = new Issues(describeObject("Node", node));
  const root = Field.root(node, issues);
  const meta = root.key("metadata");
  const spec = root.key("spec");
  const status = root.key("status");
  const name = meta.key("name").required().string() ?? "";
  const annotations = meta.key("annotations").stringMap() ?? {};
  return issues.result(
    compact({
      name,
      labels: meta.key("labels").stringMap() ?? {},
      annotations,
      taints: spec.key("taints").listOf(taintFrom) ?? [],
      unschedulable: spec.key("unschedulable").boolean() ?? false,
      conditions: status.key("conditions").listOf(conditionFrom) ?? [],
      capacity: status.key("capacity").resourceList() ?? {},
      allocatable: status.key("allocatable").resourceList(),
      numa: numaOf(extras, issues),
      lease: leaseOf(extras, issues),
      power: extras.power,
      maintenance: maintenanceOf(name, annotations, maintenanceRequests(extras, issues)),
      usage: extras.usage,
    }),
  );
}
