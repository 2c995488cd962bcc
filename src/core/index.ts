/** The planning core's public surface: pure functions of a snapshot, policies and `now`. */
export { buildClusterModel, type ClusterModel, type NodeInfo, type VmInfo } from "./model/cluster.ts";
export {
  clusterSnapshotSchema,
  SNAPSHOT_API_VERSION,
  type ClusterSnapshot,
  type ClusterSnapshotInput,
  type SnapshotNode,
  type SnapshotVm,
} from "./model/snapshot.ts";
export { encodeSnapshot } from "./model/snapshot-encode.ts";
export { formatBytes, formatDuration, parseDuration, parseQuantity } from "./model/quantity.ts";
export { createRng, type Rng } from "./numeric/rng.ts";
export { plan, type PlanInput } from "./balance/plan.ts";
export { explain, UnknownVmError, type NodeVerdict, type VmExplanation } from "./balance/explain.ts";
export type { Plan, PlannedMove, DomainReport, MoveCost, BlockedSummary } from "./balance/plan-types.ts";
export { type AntiThrashState, EMPTY_ANTI_THRASH } from "./balance/anti-thrash.ts";
export { AGGRESSIVENESS, thresholdsFor, type Thresholds } from "./balance/thresholds.ts";
export {
  decodePolicyDocument,
  policyDocumentSchema,
  policyDocumentSchemas,
  POLICY_API_VERSION,
  POLICY_KINDS,
  type PolicyDocument,
  type PolicyKind,
} from "./policy/document.ts";
export {
  assemblePolicySet,
  defaultBalancePolicy,
  EMPTY_POLICY_SET,
  type Policy,
  type PolicySet,
} from "./policy/policy-set.ts";
export {
  fieldErrorsFromZod,
  formatFieldError,
  formatPath,
  type FieldError,
  type LocatedFieldError,
} from "./policy/field-error.ts";
