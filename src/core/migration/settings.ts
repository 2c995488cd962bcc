/**
 * The migration configuration KubeVirt applies to one VMI, computed the way virt-controller does it
 * (kubevirt/kubevirt pkg/virt-controller/watch/migration/migrationpolicy.go matchPolicy,
 * countMatchingLabels, applyMigrationPolicySpec; migration.go resolveMigrationConfig), and the model
 * inputs it implies.
 */
import { MEBIBYTE, QEMU_DEFAULT_DOWNTIME_LIMIT_MS } from "./constants.ts";
import type { MigrationParams } from "./types.ts";
import type { Labels } from "../model/selectors.ts";
import type { MigrationConfiguration, SnapshotMigrationPolicy } from "../model/snapshot.ts";

/** The KubeVirt CR's migration configuration with allowWorkloadDisruption resolved. */
export type MigrationSettings = Omit<MigrationConfiguration, "allowWorkloadDisruption"> & {
  readonly allowWorkloadDisruption: boolean;
};

export interface MigrationSettingsInput {
  /** The KubeVirt CR's spec.configuration.migrations, defaults applied. */
  readonly configuration: MigrationConfiguration;
  readonly policies: readonly SnapshotMigrationPolicy[];
  readonly vmiLabels: Labels;
  readonly namespaceLabels: Labels;
}

export interface ResolvedMigrationSettings {
  readonly settings: MigrationSettings;
  /** The winning MigrationPolicy, or undefined when none matches. */
  readonly policyName: string | undefined;
}

/** What a VM brings to the model. */
export interface MigratingVm {
  readonly memoryBytes: number;
  readonly dirtyRateBytesPerSecond: number;
}

interface PolicyMatch {
  readonly policy: SnapshotMigrationPolicy;
  readonly vmiLabelMatches: number;
  readonly namespaceLabelMatches: number;
}

export function resolveMigrationSettings(input: MigrationSettingsInput): ResolvedMigrationSettings {
  const clusterSettings = withWorkloadDisruptionResolved(input.configuration);
  const policy = matchMigrationPolicy(input.policies, input.vmiLabels, input.namespaceLabels);
  if (!policy) return { settings: clusterSettings, policyName: undefined };
  return { settings: applyMigrationPolicy(clusterSettings, policy), policyName: policy.name };
}

/**
 * matchPolicy: a policy matches when every pair of both selectors is on the VMI and on its namespace.
 * The most specific wins: the most matching labels in total, then the most matching VMI labels, then the
 * lexicographically smallest name (Go compares bytes; Kubernetes names are ASCII, so JavaScript's `<` agrees).
 */
export function matchMigrationPolicy(
  policies: readonly SnapshotMigrationPolicy[],
  vmiLabels: Labels,
  namespaceLabels: Labels,
): SnapshotMigrationPolicy | undefined {
  let best: PolicyMatch | undefined;
  for (const policy of policies) {
    const match = scorePolicy(policy, vmiLabels, namespaceLabels);
    if (match && (!best || isBetterMatch(match, best))) best = match;
  }
  return best?.policy;
}

/**
 * countMatchingLabels. Quirk kept on purpose: KubeVirt checks both selectors only when the VMI's label map
 * is non-nil, so a VMI without labels matches every policy with score 0. The API server drops an empty
 * `metadata.labels`, so an empty map here stands for Go's nil.
 */
function scorePolicy(
  policy: SnapshotMigrationPolicy,
  vmiLabels: Labels,
  namespaceLabels: Labels,
): PolicyMatch | undefined {
  if (Object.keys(vmiLabels).length === 0) return { policy, vmiLabelMatches: 0, namespaceLabelMatches: 0 };
  const vmiLabelMatches = countMatchingPairs(policy.selectors.virtualMachineInstanceSelector, vmiLabels);
  if (vmiLabelMatches === undefined) return undefined;
  const namespaceLabelMatches = countMatchingPairs(policy.selectors.namespaceSelector, namespaceLabels);
  if (namespaceLabelMatches === undefined) return undefined;
  return { policy, vmiLabelMatches, namespaceLabelMatches };
}

/** The number of selector pairs found in `labels`, or undefined when any pair is missing. */
function countMatchingPairs(selector: Labels | undefined, labels: Labels): number | undefined {
  const pairs = Object.entries(selector ?? {});
  const allPresent = pairs.every(([key, value]) => Object.hasOwn(labels, key) && labels[key] === value);
  return allPresent ? pairs.length : undefined;
}

/** migrationPolicyMatchScore.greaterThan, then the name tie-break. */
function isBetterMatch(candidate: PolicyMatch, best: PolicyMatch): boolean {
  const candidateTotal = candidate.vmiLabelMatches + candidate.namespaceLabelMatches;
  const bestTotal = best.vmiLabelMatches + best.namespaceLabelMatches;
  if (candidateTotal !== bestTotal) return candidateTotal > bestTotal;
  if (candidate.vmiLabelMatches !== best.vmiLabelMatches) return candidate.vmiLabelMatches > best.vmiLabelMatches;
  return candidate.policy.name < best.policy.name;
}

/** virt-config.go GetMigrationConfiguration: an unset allowWorkloadDisruption follows allowPostCopy. */
function withWorkloadDisruptionResolved(configuration: MigrationConfiguration): MigrationSettings {
  return {
    ...configuration,
    allowWorkloadDisruption: configuration.allowWorkloadDisruption ?? configuration.allowPostCopy,
  };
}

/**
 * applyMigrationPolicySpec: every field the policy sets overwrites the cluster's. A policy that sets
 * allowPostCopy but not allowWorkloadDisruption sets allowWorkloadDisruption to the same value.
 */
function applyMigrationPolicy(base: MigrationSettings, policy: SnapshotMigrationPolicy): MigrationSettings {
  return {
    ...base,
    allowAutoConverge: policy.allowAutoConverge ?? base.allowAutoConverge,
    bandwidthPerMigration: policy.bandwidthPerMigration ?? base.bandwidthPerMigration,
    completionTimeoutPerGiB: policy.completionTimeoutPerGiB ?? base.completionTimeoutPerGiB,
    maxDowntimeMs: policy.maxDowntimeMs ?? base.maxDowntimeMs,
    allowPostCopy: policy.allowPostCopy ?? base.allowPostCopy,
    allowWorkloadDisruption: policy.allowWorkloadDisruption ?? policy.allowPostCopy ?? base.allowWorkloadDisruption,
  };
}

/** The model's inputs for one VM under these settings, over a link of the given speed. */
export function migrationParamsFor(
  settings: MigrationSettings,
  vm: MigratingVm,
  linkBandwidthBytesPerSecond: number,
): MigrationParams {
  return {
    memoryBytes: vm.memoryBytes,
    dirtyRateBytesPerSecond: vm.dirtyRateBytesPerSecond,
    bandwidthBytesPerSecond: effectiveBandwidth(settings.bandwidthPerMigration, linkBandwidthBytesPerSecond),
    maxDowntimeMs: effectiveDowntimeLimitMs(settings.maxDowntimeMs),
    allowAutoConverge: settings.allowAutoConverge,
    allowPostCopy: settings.allowPostCopy,
    allowWorkloadDisruption: settings.allowWorkloadDisruption,
    completionTimeoutPerGiB: settings.completionTimeoutPerGiB,
    progressTimeoutSeconds: settings.progressTimeout,
  };
}

/**
 * bandwidthPerMigration 0 leaves libvirt unlimited (BandwidthSet is false), so the link decides. Otherwise
 * libvirt gets whole MiB/s, rounded half up, at least 1 (virt-launcher converter/vcpu QuantityToMebiByte),
 * and the link still caps it.
 */
export function effectiveBandwidth(bandwidthPerMigration: number, linkBandwidthBytesPerSecond: number): number {
  if (bandwidthPerMigration <= 0) return linkBandwidthBytesPerSecond;
  const mebibytesPerSecond = Math.max(1, Math.floor(bandwidthPerMigration / MEBIBYTE + 0.5));
  return Math.min(mebibytesPerSecond * MEBIBYTE, linkBandwidthBytesPerSecond);
}

/**
 * The downtime limit QEMU actually uses. KubeVirt's default monitor never calls MigrateSetMaxDowntime, so
 * QEMU keeps its 300 ms default whatever maxDowntimeMs says; the alpha stall detector starts at
 * min(maxDowntimeMs, 300 ms) (live-migration-source.go handleStallDetection). Raising the limit later
 * (stall detector, downtime tuning) is not modelled.
 */
export function effectiveDowntimeLimitMs(maxDowntimeMs: number): number {
  return Math.min(maxDowntimeMs, QEMU_DEFAULT_DOWNTIME_LIMIT_MS);
}
