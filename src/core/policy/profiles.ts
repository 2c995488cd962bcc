/**
 * Which MigrationProfile governs a VM, and the KubeVirt MigrationPolicy kubedrs renders from it.
 * The rendered policy selects VMIs by the kubedrs.io/migration-profile label the executor sets.
 */
import { KUBEDRS } from "../model/kubedrs-labels.ts";
import { type Labels, labelSelectorMatches } from "../model/selectors.ts";
import type { SnapshotMigrationPolicy } from "../model/snapshot.ts";
import type { Policy } from "./policy-set.ts";

type Profile = Policy<"MigrationProfile">;

export function profileApplies(profile: Profile, namespace: string, labels: Labels): boolean {
  const { namespaces, selector } = profile.spec.vms;
  return (namespaces.length === 0 || namespaces.includes(namespace)) && labelSelectorMatches(selector, labels);
}

/** The highest-priority profile that selects the VM; ties go to the first name. */
export function migrationProfileFor(
  profiles: readonly Profile[],
  namespace: string,
  labels: Labels,
): Profile | undefined {
  let best: Profile | undefined;
  for (const profile of profiles) {
    if (!profileApplies(profile, namespace, labels)) continue;
    if (!best || profile.spec.priority > best.spec.priority) best = profile;
  }
  return best;
}

export function renderedPolicyName(profile: Profile): string {
  return `kubedrs-${profile.metadata.name}`;
}

/** The MigrationPolicy (migrations.kubevirt.io/v1alpha1 spec) kubedrs owns for a profile. */
export function renderMigrationPolicy(profile: Profile): SnapshotMigrationPolicy {
  const { spec } = profile;
  return {
    name: renderedPolicyName(profile),
    labels: { [KUBEDRS.managedBy]: "kubedrs" },
    selectors: { virtualMachineInstanceSelector: { [KUBEDRS.migrationProfile]: profile.metadata.name } },
    ...(spec.allowAutoConverge !== undefined && { allowAutoConverge: spec.allowAutoConverge }),
    ...(spec.bandwidthPerMigration !== undefined && { bandwidthPerMigration: spec.bandwidthPerMigration }),
    ...(spec.completionTimeoutPerGiB !== undefined && { completionTimeoutPerGiB: spec.completionTimeoutPerGiB }),
    ...(spec.allowPostCopy !== undefined && { allowPostCopy: spec.allowPostCopy }),
    ...(spec.allowWorkloadDisruption !== undefined && { allowWorkloadDisruption: spec.allowWorkloadDisruption }),
    ...(spec.maxDowntimeMs !== undefined && { maxDowntimeMs: spec.maxDowntimeMs }),
  };
}
