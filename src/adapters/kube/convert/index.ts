/**
 * Kubernetes and KubeVirt objects to the core's ClusterSnapshot: the one place where raw API objects
 * become the core's types, with quantities turned into numbers.
 */
export type { Converted, WithWarnings } from "./issues.ts";
export type { JsonObject, KubeObject } from "./meta.ts";
export { nodeFromKube, type NodeExtras } from "./node.ts";
export { vmFromKube, type VmSources } from "./vm.ts";
export { migrationFromKube } from "./migration.ts";
export { migrationPolicyFromKube } from "./migration-policy.ts";
export { kubevirtFromKube, type SnapshotKubevirt } from "./kubevirt.ts";
export { snapshotFromObjects, type KubeObjects, type SnapshotFromObjects } from "./snapshot.ts";
