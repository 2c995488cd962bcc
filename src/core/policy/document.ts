/**
 * A policy document: `apiVersion: kubedrs.io/v1alpha1`, a kind, metadata and a spec.
 * Decoding dispatches on kind, then defaults and validates the spec in one zod pass.
 */
import { z } from "zod";
import { objectMeta } from "../schema/fields.ts";
import { type FieldError, fieldErrorsFromZod } from "./field-error.ts";
import { balancePolicySpec } from "./kinds/balance-policy.ts";
import { failoverPolicySpec } from "./kinds/failover-policy.ts";
import { maintenancePolicySpec } from "./kinds/maintenance-policy.ts";
import { migrationProfileSpec } from "./kinds/migration-profile.ts";
import { placementRuleSpec } from "./kinds/placement-rule.ts";

export const POLICY_API_VERSION = "kubedrs.io/v1alpha1";

function documentOf<K extends string, S extends z.ZodType>(kind: K, spec: S) {
  return z
    .strictObject({
      apiVersion: z.literal(POLICY_API_VERSION),
      kind: z.literal(kind),
      metadata: objectMeta,
      spec,
    })
    .meta({ title: kind });
}

export const policyDocumentSchemas = {
  BalancePolicy: documentOf("BalancePolicy", balancePolicySpec.prefault({})),
  PlacementRule: documentOf("PlacementRule", placementRuleSpec),
  MigrationProfile: documentOf("MigrationProfile", migrationProfileSpec),
  MaintenancePolicy: documentOf("MaintenancePolicy", maintenancePolicySpec.prefault({})),
  FailoverPolicy: documentOf("FailoverPolicy", failoverPolicySpec),
} as const;

export type PolicyKind = keyof typeof policyDocumentSchemas;
export const POLICY_KINDS = Object.keys(policyDocumentSchemas) as PolicyKind[];

export const policyDocumentSchema = z
  .discriminatedUnion("kind", [
    policyDocumentSchemas.BalancePolicy,
    policyDocumentSchemas.PlacementRule,
    policyDocumentSchemas.MigrationProfile,
    policyDocumentSchemas.MaintenancePolicy,
    policyDocumentSchemas.FailoverPolicy,
  ])
  .meta({ title: "kubedrs policy document", description: "One of the five kubedrs policy kinds." });

export type PolicyDocument = z.output<typeof policyDocumentSchema>;
export type PolicyOf<K extends PolicyKind> = Extract<PolicyDocument, { kind: K }>;

export type DecodeResult =
  | { readonly ok: true; readonly document: PolicyDocument }
  | { readonly ok: false; readonly errors: readonly FieldError[] };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Decodes, defaults and validates one document, returning every error with its field path. */
export function decodePolicyDocument(raw: unknown): DecodeResult {
  if (!isRecord(raw))
    return { ok: false, errors: [{ type: "Invalid", path: [], message: "a policy document must be a mapping" }] };
  if (raw.apiVersion !== POLICY_API_VERSION) {
    return {
      ok: false,
      errors: [
        {
          type: raw.apiVersion === undefined ? "Required" : "NotSupported",
          path: ["apiVersion"],
          message: `must be ${POLICY_API_VERSION}`,
        },
      ],
    };
  }
  const kind = raw.kind;
  if (typeof kind !== "string" || !(kind in policyDocumentSchemas)) {
    return {
      ok: false,
      errors: [
        {
          type: kind === undefined ? "Required" : "NotSupported",
          path: ["kind"],
          message: `must be one of ${POLICY_KINDS.join(", ")}`,
        },
      ],
    };
  }
  // reportInput keeps each issue's input, which tells a missing field from a wrong one.
  const result = policyDocumentSchemas[kind as PolicyKind].safeParse(raw, { reportInput: true });
  if (!result.success) return { ok: false, errors: fieldErrorsFromZod(result.error.issues) };
  return { ok: true, document: result.data };
}
