/**
 * Node maintenance as kubedrs sees it: a medik8s NodeMaintenance (nodemaintenance.medik8s.io/v1beta1)
 * naming the node, or the kubedrs.io/maintenance annotation on the node itself.
 */
import { KUBEDRS } from "../../../core/model/kubedrs-labels.ts";
import type { SnapshotNode } from "../../../core/model/snapshot.ts";
import { compact } from "./compact.ts";
import { Field } from "./field.ts";
import { type Converted, Issues } from "./issues.ts";
import { describeObject, type JsonObject } from "./meta.ts";
import { compareText } from "./order.ts";

export type NodeMaintenanceState = NonNullable<SnapshotNode["maintenance"]>;

export interface NodeMaintenanceRequest {
  readonly name: string;
  readonly nodeName: string;
  /** Being deleted: medik8s is ending the maintenance and uncordoning the node. */
  readonly ending: boolean;
  readonly maintenance: NodeMaintenanceState;
}

export function nodeMaintenanceFromKube(object: JsonObject): Converted<NodeMaintenanceRequest> {
  const issues = new Issues(describeObject("NodeMaintenance", object));
  const root = Field.root(object, issues);
  const meta = root.key("metadata");
  const spec = root.key("spec");
  const request: NodeMaintenanceRequest = {
    name: meta.key("name").required().string() ?? "",
    nodeName: spec.key("nodeName").required().string() ?? "",
    ending: meta.key("deletionTimestamp").present,
    maintenance: compact({
      source: "NodeMaintenance" as const,
      reason: spec.key("reason").string(),
      since: meta.key("creationTimestamp").timestamp(),
    }),
  };
  return issues.result(request);
}

function startedAt(request: NodeMaintenanceRequest): number {
  const ms = Date.parse(request.maintenance.since ?? "");
  return Number.isNaN(ms) ? Number.POSITIVE_INFINITY : ms;
}

function oldestFirst(a: NodeMaintenanceRequest, b: NodeMaintenanceRequest): number {
  return startedAt(a) - startedAt(b) || compareText(a.name, b.name);
}

/**
 * The node's maintenance: the oldest NodeMaintenance that names it and is not ending wins over the
 * annotation, because it carries a reason and a start time.
 */
export function maintenanceOf(
  nodeName: string,
  annotations: Readonly<Record<string, string>>,
  requests: readonly NodeMaintenanceRequest[],
): NodeMaintenanceState | undefined {
  const active = requests.filter((request) => request.nodeName === nodeName && !request.ending).sort(oldestFirst);
  if (active[0]) return active[0].maintenance;
  const annotation = annotations[KUBEDRS.maintenance];
  if (annotation === undefined) return undefined;
  return compact({ source: "annotation" as const, reason: annotation === "" ? undefined : annotation });
}
