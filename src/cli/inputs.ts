/**
 * Loads what the planning commands read: a snapshot file or a live cluster (`--kubeconfig`), and a
 * policy directory or the cluster's policy CRDs. Bad input becomes a UserError listing every problem.
 */
import { stat } from "node:fs/promises";
import type { Command } from "commander";
import type { KubeConfig } from "@kubernetes/client-node";
import { ApiClient } from "../adapters/kube/client/api-client.ts";
import { loadKubeconfig } from "../adapters/kube/client/load-kubeconfig.ts";
import { TwinClock } from "../controller/clock.ts";
import { captureLiveSnapshot, ClusterUnreadableError } from "../controller/live-snapshot.ts";
import { readPolicyCrds } from "../controller/policies/crd-source.ts";
import { loadPolicyDirectory } from "../adapters/files/policy-directory.ts";
import { loadSnapshotFile } from "../adapters/files/snapshot-file.ts";
import { buildClusterModel, type ClusterModel } from "../core/model/cluster.ts";
import type { ClusterSnapshot } from "../core/model/snapshot.ts";
import { formatFieldError } from "../core/policy/field-error.ts";
import { EMPTY_POLICY_SET, type PolicySet } from "../core/policy/policy-set.ts";
import { UserError } from "./errors.ts";
import { choice } from "./commands/options.ts";

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
  return { model, policies, now: parseAt(at) ?? model.takenAt };
}

/** Where a planning command reads the cluster and the policies from. */
export interface SourceFlags {
  readonly snapshot?: string;
  readonly kubeconfig?: string;
  readonly policies?: string;
  readonly at?: string;
  readonly clock: "wall" | "twin";
}

/** The options that read a live cluster. */
export function withLiveSource(command: Command, verb: string): Command {
  return command
    .option("--kubeconfig <file>", "read the live cluster of this kubeconfig")
    .option(
      "--policies <dir|crd>",
      "a directory of policy files, or crd for the live cluster's kubedrs.io resources; the default BalancePolicy when omitted",
    )
    .option(
      "--clock <wall|twin>",
      `with --kubeconfig: ${verb} at wall time, or at a twin's virtual time`,
      choice(["wall", "twin"] as const),
      "wall",
    )
    .option("--at <time>", `${verb} as of this RFC 3339 time instead of the snapshot's (or now)`);
}

/** The options every command that plans on a cluster takes: a snapshot file or a live cluster. */
export function withClusterSource(command: Command, verb: string): Command {
  return withLiveSource(command.option("--snapshot <file>", "a ClusterSnapshot file (JSON or YAML)"), verb);
}

function parseAt(at: string | undefined): number | undefined {
  if (at === undefined) return undefined;
  const time = Date.parse(at);
  if (Number.isNaN(time)) throw new UserError(`--at ${at} is not an RFC 3339 time`);
  return time;
}

/** The kubeconfig in the file; a file that cannot be loaded is the user's mistake, said plainly. */
export function kubeconfigAt(file: string): KubeConfig {
  try {
    return loadKubeconfig(file);
  } catch (error) {
    throw new UserError(`cannot load the kubeconfig ${file}: ${(error as Error).message}`);
  }
}

async function livePolicies(directory: string | undefined, kubeconfig: KubeConfig): Promise<PolicySet> {
  if (directory !== "crd") return readPolicies(directory);
  const load = await readPolicyCrds(kubeconfig);
  if (load.errors.length > 0)
    throw new UserError(`the policies in ${load.origin} are not valid:`, load.errors.map(formatFieldError));
  return load.set;
}

async function clusterTime(flags: SourceFlags, kubeconfig: KubeConfig): Promise<number> {
  const at = parseAt(flags.at);
  if (at !== undefined) return at;
  if (flags.clock === "wall") return Date.now();
  const clock = new TwinClock(new ApiClient(kubeconfig));
  await clock.start();
  clock.stop();
  return clock.now();
}

/** A live cluster's snapshot, with the policies and the time it was taken under. */
export async function readLiveSnapshot(
  file: string,
  flags: SourceFlags,
): Promise<LiveWarnings & { snapshot: ClusterSnapshot; policies: PolicySet; now: number; kubeconfig: KubeConfig }> {
  const kubeconfig = kubeconfigAt(file);
  const policies = await livePolicies(flags.policies, kubeconfig);
  const now = await clusterTime(flags, kubeconfig);
  try {
    const live = await captureLiveSnapshot({ kubeconfig, policies, now });
    return { ...live, policies, now, kubeconfig };
  } catch (error) {
    if (error instanceof ClusterUnreadableError)
      throw new UserError(`cannot read the cluster of ${file}:`, error.failures);
    throw error;
  }
}

interface LiveWarnings {
  /** Objects and metrics left out of a live snapshot; none from a file (a bad file is an error). */
  readonly warnings: readonly string[];
}

/** The model, policies and time from a snapshot file or a live cluster, whichever the flags name. */
export async function readSourceInputs(flags: SourceFlags): Promise<PlanningInputs & LiveWarnings> {
  const { snapshot, kubeconfig } = flags;
  if (kubeconfig !== undefined && snapshot === undefined) {
    const live = await readLiveSnapshot(kubeconfig, flags);
    return { ...live, model: buildClusterModel(live.snapshot) };
  }
  if (snapshot === undefined || kubeconfig !== undefined)
    throw new UserError("give either --snapshot FILE or --kubeconfig FILE (a live cluster)");
  if (flags.policies === "crd") throw new UserError("--policies crd reads a live cluster: it needs --kubeconfig");
  return { ...(await readPlanningInputs(snapshot, flags.policies, flags.at)), warnings: [] };
}

/** Warnings on stderr, so stdout stays the plan alone. */
export function printWarnings(warnings: readonly string[]): void {
  for (const warning of warnings) process.stderr.write(`warning: ${warning}\n`);
}
