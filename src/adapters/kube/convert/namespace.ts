/** A Namespace, for the labels MigrationPolicies and kubedrs exclusions select on. */
import type { V1Namespace } from "@kubernetes/client-node";
import type { ClusterSnapshot } from "../../../core/model/snapshot.ts";
import { Field } from "./field.ts";
import { type Converted, Issues } from "./issues.ts";
import { describeObject, type KubeObject } from "./meta.ts";

export type SnapshotNamespace = ClusterSnapshot["namespaces"][number];

export function namespaceFromKube(namespace: KubeObject<V1Namespace>): Converted<SnapshotNamespace> {
  const issues = new Issues(describeObject("Namespace", namespace));
  const meta = Field.root(namespace, issues).key("metadata");
  return issues.result({
    name: meta.key("name").required().string() ?? "",
    labels: meta.key("labels").stringMap() ?? {},
  });
}
