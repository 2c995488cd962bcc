/** A VirtualMachineInstanceMigration (kubevirt.io/v1) as the snapshot's migration. */
import { KUBEDRS } from "../../../core/model/kubedrs-labels.ts";
import { LABEL } from "../../../core/model/kubevirt-labels.ts";
import { MIGRATION_PHASES, type MigrationPhase, type SnapshotMigration } from "../../../core/model/snapshot.ts";
import { compact } from "./compact.ts";
import { Field } from "./field.ts";
import { type Converted, Issues } from "./issues.ts";
import { describeObject, type JsonObject } from "./meta.ts";

/** Decentralized phases (WaitingForSync, Synchronizing) are not modelled: such migrations are reported and left out. */
const KNOWN_PHASES = MIGRATION_PHASES.filter((phase) => phase !== "");

const FINAL_PHASES: ReadonlySet<unknown> = new Set(["Succeeded", "Failed"]);

/** When the migration finished: the migration state's end, else the time it turned Succeeded or Failed. */
function endedAtOf(status: Field): string | undefined {
  const end = status.key("migrationState").key("endTimestamp").timestamp();
  if (end !== undefined) return end;
  const final = status
    .key("phaseTransitionTimestamps")
    .list()
    .filter((transition) => FINAL_PHASES.has(transition.key("phase").value))
    .at(-1);
  return final?.key("phaseTransitionTimestamp").timestamp();
}

export function migrationFromKube(vmim: JsonObject): Converted<SnapshotMigration> {
  const issues = new Issues(describeObject("VirtualMachineInstanceMigration", vmim));
  const root = Field.root(vmim, issues);
  const meta = root.key("metadata");
  const spec = root.key("spec");
  const status = root.key("status");
  const state = status.key("migrationState");
  const labels = meta.key("labels").stringMap() ?? {};
  const annotations = meta.key("annotations").stringMap() ?? {};
  const phase: MigrationPhase = status.key("phase").oneOf(KNOWN_PHASES) ?? "";
  return issues.result(
    compact({
      namespace: meta.key("namespace").required().string() ?? "",
      name: meta.key("name").required().string() ?? "",
      vm: spec.key("vmiName").required().string() ?? "",
      phase,
      source: state.key("sourceNode").string(),
      target: state.key("targetNode").string(),
      requestedTarget: spec.key("addedNodeSelector").key(LABEL.hostname).string(),
      createdAt: meta.key("creationTimestamp").required().timestamp() ?? "",
      endedAt: endedAtOf(status),
      byKubedrs: labels[KUBEDRS.managedBy] === "kubedrs",
      reason: annotations[KUBEDRS.reason],
    }),
  );
}
