/**
 * Where the controller's policies come from and which set is in force: a directory that reloads
 * on change or the five policy CRDs, each handing every load to a PolicyKeeper, which keeps the
 * last good set when a load has errors.
 */
export { PolicyCrdSource, type PolicyCrdSourceOptions, type WatchNotice } from "./crd-source.ts";
export { PolicyDirectorySource, type PolicyDirectorySourceOptions } from "./directory-source.ts";
export type { ChangeType, PolicyChange } from "./policy-changes.ts";
export { PolicyKeeper, type PolicyVerdict } from "./policy-keeper.ts";
export type { PolicyLoad } from "./policy-load.ts";
export { POLICY_GROUP, POLICY_RESOURCES, POLICY_VERSION } from "./policy-objects.ts";
