/** The golden scenarios (test/golden/scenarios/NAME) loaded as `kubedrs plan` loads them, for core tests. */
import { join } from "node:path";
import { loadPolicyDirectory } from "../../src/adapters/files/policy-directory.ts";
import { loadSnapshotFile } from "../../src/adapters/files/snapshot-file.ts";
import { buildClusterModel, type ClusterModel } from "../../src/core/model/cluster.ts";
import { formatFieldError } from "../../src/core/policy/field-error.ts";
import type { PolicySet } from "../../src/core/policy/policy-set.ts";

const SCENARIOS = join(import.meta.dirname, "../golden/scenarios");

export async function loadScenario(name: string): Promise<{ model: ClusterModel; policies: PolicySet }> {
  const directory = join(SCENARIOS, name);
  const snapshot = await loadSnapshotFile(join(directory, "snapshot.yaml"));
  if (!snapshot.ok) throw new Error(snapshot.errors.map(formatFieldError).join("\n"));
  const policies = await loadPolicyDirectory(join(directory, "policies"), directory);
  if (policies.errors.length > 0) throw new Error(policies.errors.map(formatFieldError).join("\n"));
  return { model: buildClusterModel(snapshot.snapshot), policies: policies.set };
}
