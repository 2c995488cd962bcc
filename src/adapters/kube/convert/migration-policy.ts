/** A KubeVirt MigrationPolicy (migrations.kubevirt.io/v1alpha1, cluster-scoped) as the snapshot's policy. */
import type { SnapshotMigrationPolicy } from "../../../core/model/snapshot.ts";
import { compact } from "./compact.ts";
import { Field } from "./field.ts";
import { type Converted, Issues } from "./issues.ts";
import { describeObject, type JsonObject } from "./meta.ts";

export function migrationPolicyFromKube(policy: JsonObject): Converted<SnapshotMigrationPolicy> {
  const issues = new Issues(describeObject("MigrationPolicy", policy));
  const root = Field.root(policy, issues);
  const meta = root.key("metadata");
  const spec = root.key("spec");
  const selectors = spec.key("selectors");
  // KubeVirt never applies a policy without selectors; keeping it would let it match everything here.
  if (!selectors.present) selectors.report("missing, so KubeVirt never applies this policy");
  return issues.result(
    compact({
      name: meta.key("name").required().string() ?? "",
      labels: meta.key("labels").stringMap() ?? {},
      selectors: compact({
        namespaceSelector: selectors.key("namespaceSelector").stringMap(),
        virtualMachineInstanceSelector: selectors.key("virtualMachineInstanceSelector").stringMap(),
      }),
      allowAutoConverge: spec.key("allowAutoConverge").boolean(),
      bandwidthPerMigration: spec.key("bandwidthPerMigration").quantity(),
      completionTimeoutPerGiB: spec.key("completionTimeoutPerGiB").integer(0),
      allowPostCopy: spec.key("allowPostCopy").boolean(),
      allowWorkloadDisruption: spec.key("allowWorkloadDisruption").boolean(),
      maxDowntimeMs: spec.key("maxDowntimeMs").integer(1),
    }),
  );
}
