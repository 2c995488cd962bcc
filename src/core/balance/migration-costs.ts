/**
 * What a candidate move costs, from the live-migration model under the settings KubeVirt will use:
 * the cluster's, a matching MigrationPolicy's, or (winning over both) the kubedrs MigrationProfile
 * that selects the VM. Predictions are cached per VM and link speed for the pass.
 */
import type { ClusterModel, VmInfo } from "../model/cluster.ts";
import { KUBEDRS } from "../model/kubedrs-labels.ts";
import { migrationParamsFor, predictMigration, resolveMigrationSettings } from "../migration/index.ts";
import { migrationProfileFor, renderMigrationPolicy } from "../policy/profiles.ts";
import type { PolicySet } from "../policy/policy-set.ts";
import type { CostOracle } from "./candidates.ts";
import type { MoveCost } from "./plan-types.ts";

/** Assumed when no dirty-rate metric is known: a moderately busy guest. */
export const DEFAULT_DIRTY_RATE = 16 * 2 ** 20;

function linkBandwidth(model: ClusterModel, from: number, to: number): number {
  const fallback = model.defaultMigrationBandwidth;
  return Math.min(model.nodes[from]?.migrationBandwidth ?? fallback, model.nodes[to]?.migrationBandwidth ?? fallback);
}

function estimate(model: ClusterModel, policies: PolicySet, vm: VmInfo, link: number): MoveCost {
  const profile = migrationProfileFor(policies.migrationProfiles, vm.namespace, vm.labels);
  const resolved = profile
    ? resolveMigrationSettings({
        configuration: model.migrationConfig,
        policies: [renderMigrationPolicy(profile)],
        vmiLabels: { ...vm.labels, [KUBEDRS.migrationProfile]: profile.metadata.name },
        namespaceLabels: vm.namespaceLabels,
      })
    : resolveMigrationSettings({
        configuration: model.migrationConfig,
        policies: model.migrationPolicies,
        vmiLabels: vm.labels,
        namespaceLabels: vm.namespaceLabels,
      });
  const params = migrationParamsFor(
    resolved.settings,
    { memoryBytes: vm.guestMemory, dirtyRateBytesPerSecond: vm.usage?.dirtyRate?.mean ?? DEFAULT_DIRTY_RATE },
    link,
  );
  const prediction = predictMigration(params);
  return {
    bytes: Math.round(prediction.bytesTransferred),
    durationSeconds: prediction.durationSeconds,
    downtimeMs: prediction.downtimeMs,
    outcome: prediction.outcome,
    succeeded: prediction.succeeded,
    summary: prediction.reason,
    bandwidth: params.bandwidthBytesPerSecond,
    profile: profile?.metadata.name,
    migrationPolicy: resolved.policyName,
    autoConverge: prediction.autoConverged,
    postCopy: prediction.outcome === "post-copy",
  };
}

export function migrationCosts(model: ClusterModel, policies: PolicySet): CostOracle {
  const cache = new Map<string, MoveCost>();
  return {
    estimate(vm, from, to) {
      const link = linkBandwidth(model, from, to);
      const key = `${vm.index}@${link}`;
      let cost = cache.get(key);
      if (!cost) {
        cost = estimate(model, policies, vm, link);
        cache.set(key, cost);
      }
      return cost;
    },
  };
}
