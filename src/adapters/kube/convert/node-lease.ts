/** A node's heartbeat Lease (coordination.k8s.io/v1, namespace kube-node-lease, named after the node). */
import type { V1Lease } from "@kubernetes/client-node";
import type { SnapshotNode } from "../../../core/model/snapshot.ts";
import { compact } from "./compact.ts";
import { Field } from "./field.ts";
import { type Converted, Issues } from "./issues.ts";
import { describeObject, type KubeObject } from "./meta.ts";

export type NodeLease = NonNullable<SnapshotNode["lease"]>;

export const NODE_LEASE_NAMESPACE = "kube-node-lease";

export function leaseFromKube(lease: KubeObject<V1Lease>): Converted<NodeLease> {
  const issues = new Issues(describeObject("Lease", lease));
  const spec = Field.root(lease, issues).key("spec");
  const renewTime = spec.key("renewTime").required().timestamp();
  const durationSeconds = spec.key("leaseDurationSeconds").integer(0);
  return issues.result(compact({ renewTime: renewTime ?? "", durationSeconds }));
}
