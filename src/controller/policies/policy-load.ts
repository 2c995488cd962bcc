/**
 * What a policy source hands the controller each time it reads its policies: the set it decoded,
 * every error it met (one error anywhere rejects the whole load) and where the policies came from.
 */
import type { LocatedFieldError } from "../../core/policy/field-error.ts";
import { EMPTY_POLICY_SET, type PolicySet } from "../../core/policy/policy-set.ts";

export interface PolicyLoad {
  readonly set: PolicySet;
  readonly errors: readonly LocatedFieldError[];
  /** Where the policies came from, for logs: "directory /etc/kubedrs/policies", "CRDs kubedrs.io/v1alpha1". */
  readonly origin: string;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** An error about a whole file or resource rather than one of its fields: it could not be read. */
export function sourceError(file: string, message: string): LocatedFieldError {
  return { file, line: 1, column: 1, type: "Invalid", path: [], message };
}

/** A load that found nothing it could read: rejected, so the policies in force stay. */
export function unreadableLoad(origin: string, file: string, error: unknown): PolicyLoad {
  return { set: EMPTY_POLICY_SET, errors: [sourceError(file, `cannot read: ${errorMessage(error)}`)], origin };
}
