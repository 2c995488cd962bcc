/**
 * Policy custom resources back into policy documents. The API server adds fields nobody wrote
 * (uid, resourceVersion, managedFields, creationTimestamp, status) that the strict schemas would
 * refuse, and kubectl adds its last-applied-configuration annotation, so each object is cut down
 * to what a user writes before it is decoded the way a file is: the same decoder, the same errors,
 * each error naming "<Kind>/<name>" instead of a file.
 */
import { stringify } from "yaml";
import { loadPolicyTexts } from "../../adapters/files/policy-directory.ts";
import { POLICY_API_VERSION, type PolicyKind } from "../../core/policy/document.ts";
import type { LocatedFieldError } from "../../core/policy/field-error.ts";
import type { PolicyLoad } from "./policy-load.ts";

export type JsonObject = Record<string, unknown>;

export { POLICY_GROUP, POLICY_RESOURCES, POLICY_VERSION } from "../../core/policy/resources.ts";

/** Metadata a user writes; everything else in metadata is the server's. */
const USER_METADATA = ["name", "labels", "annotations"] as const;
/** kubectl's copy of what it applied: bookkeeping, not policy, and it would make a CRD differ from its file. */
const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function nameOf(object: JsonObject): string {
  const name = isJsonObject(object.metadata) ? object.metadata.name : undefined;
  return typeof name === "string" ? name : "";
}

function userMetadata(metadata: unknown): JsonObject {
  const meta = isJsonObject(metadata) ? metadata : {};
  const kept: JsonObject = {};
  for (const key of USER_METADATA) if (meta[key] !== undefined) kept[key] = meta[key];
  if (isJsonObject(kept.annotations)) {
    const { [LAST_APPLIED]: _applied, ...annotations } = kept.annotations;
    if (Object.keys(annotations).length > 0) kept.annotations = annotations;
    else delete kept.annotations;
  }
  return kept;
}

/** The document a user would have applied: apiVersion, kind, name, labels, annotations and spec (and any stray top-level field, so it is reported). */
export function policyDocumentOf(kind: PolicyKind, object: JsonObject): JsonObject {
  const { apiVersion, kind: _kind, metadata, status: _status, ...rest } = object;
  return { apiVersion: apiVersion ?? POLICY_API_VERSION, kind, metadata: userMetadata(metadata), ...rest };
}

export interface PolicyObjects {
  readonly kind: PolicyKind;
  readonly objects: readonly JsonObject[];
}

/** Decodes every policy object into one load; `problems` are errors of the source itself (a kind it could not list). */
export function decodePolicyObjects(
  groups: readonly PolicyObjects[],
  problems: readonly LocatedFieldError[],
  origin: string,
): PolicyLoad {
  const texts = groups.flatMap(({ kind, objects }) =>
    [...objects]
      .sort((a, b) => (nameOf(a) < nameOf(b) ? -1 : nameOf(a) > nameOf(b) ? 1 : 0))
      .map((object) => ({ file: `${kind}/${nameOf(object)}`, text: stringify(policyDocumentOf(kind, object)) })),
  );
  const { set, errors } = loadPolicyTexts(texts);
  return { set, errors: [...problems, ...errors], origin };
}
