/** Loads what the planning commands read: a snapshot file and a policy directory. Bad input becomes a UserError listing every problem. */
import { stat } from "node:fs/promises";
import { loadPolicyDirectory } from "../adapters/files/policy-directory.ts";
import { loadSnapshotFile } from "../adapters/files/snapshot-file.ts";
import { buildClusterModel, type ClusterModel } from "../core/model/cluster.ts";
import type { ClusterSnapshot } from "../core/model/snapshot.ts";
import { formatFieldError } from "../core/policy/field-error.ts";
import { EMPTY_POLICY_SET, type PolicySet } from "../core/policy/policy-set.ts";
import { UserError } from "./errors.ts";

export async function readSnapshot(file: string): Promise<ClusterSnapshot> {
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) throw new UserError(`the snapshot file ${file} does not exist`);
  const loaded = await loadSnapshotFile(file);
  if (!loaded.ok) throw new UserError(`the snapshot ${file} is not valid:`, loaded.errors.map(formatFieldError));
  return loaded.snapshot;
}

export async function readPolicies(directory: string | undefined): Promise<PolicySet> {
  if (directory === undefined) return EMPTY_POLICY_SET;
  const info = await stat(directory).catch(() => undefined);
  if (!info?.isDirectory()) throw new UserError(`the policy directory ${directory} does not exist`);
  const loaded = await loadPolicyDirectory(directory);
  if (loaded.errors.length > 0)
    throw new UserError(`the policies in ${directory} are not valid:`, loaded.errors.map(formatFieldError));
  return loaded.set;
}

export interface PlanningInputs {
  readonly model: ClusterModel;
  readonly policies: PolicySet;
  readonly now: number;
}

export async function readPlanningInputs(
  snapshotFile: string,
  policyDirectory: string | undefined,
  at?: string,
): Promise<PlanningInputs> {
  const [snapshot, policies] = await Promise.all([readSnapshot(snapshotFile), readPolicies(policyDirectory)]);
  const model = buildClusterModel(snapshot);
  const now = at === undefined ? model.takenAt : Date.parse(at);
  if (Number.isNaN(now)) throw new UserError(`--at ${at} is not an RFC 3339 time`);
  return { model, policies, now };
}
