/**
 * What the demo shows, read the way an admin would: node usage from the controller's newest
 * metrics sample, migrations from the VMIMs in its cache, imbalance from its passes. Pure functions
 * from those readings to the view's rows.
 */
import type { JsonObject } from "../../adapters/kube/convert/meta.ts";
import type { PlannedMove } from "../../core/balance/plan-types.ts";
import type { SnapshotNode } from "../../core/model/snapshot.ts";
import type { UsageSample } from "../../controller/usage/types.ts";
import { type ObservedMigration, observeMigration } from "../../controller/executor/vmim.ts";
import type { DemoMigrationRow, DemoNodeRow } from "../views/demo-view.ts";

export function kubedrsMigrations(vmims: readonly JsonObject[]): ObservedMigration[] {
  return vmims
    .map(observeMigration)
    .filter((migration): migration is ObservedMigration => migration?.byKubedrs === true)
    .sort((a, b) => a.createdAt - b.createdAt || (a.key < b.key ? -1 : 1));
}

export function nodeRows(
  nodes: readonly SnapshotNode[],
  sample: UsageSample | undefined,
  inFlight: readonly ObservedMigration[],
  maxCpu: number,
): DemoNodeRow[] {
  return nodes.map((node) => {
    const allocatable = node.allocatable ?? node.capacity;
    const used = sample?.nodes.get(node.name);
    const cpu = (used?.cpuMillicores ?? 0) / (allocatable.cpu ?? Number.POSITIVE_INFINITY);
    const memory = (used?.memoryBytes ?? 0) / (allocatable.memory ?? Number.POSITIVE_INFINITY);
    return {
      name: node.name,
      cpu,
      memory,
      hot: cpu > maxCpu,
      inbound: inFlight.filter((migration) => migration.target === node.name).length,
      outbound: inFlight.filter((migration) => migration.source === node.name).length,
    };
  });
}

export function migrationRows(inFlight: readonly ObservedMigration[]): DemoMigrationRow[] {
  return inFlight.map((migration) => ({
    vm: migration.vm,
    from: migration.source ?? "?",
    to: migration.target ?? "?",
    phase: migration.phase || "Pending",
    reason: migration.reason ?? migration.kind,
  }));
}

export function moveLine(time: string, move: PlannedMove, imbalanceAfter: number): string {
  return `${time.slice(11, 16)} ${move.vm} ${move.from} → ${move.to}: imbalance → ${imbalanceAfter.toFixed(3)}`;
}
