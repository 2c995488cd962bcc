/**
 * Safe reads from loosely typed Kubernetes objects: each returns undefined (or an empty value)
 * instead of trusting the JSON's shape, so a malformed object is treated as if the field were unset.
 */
import { parseQuantity } from "../../core/model/quantity.ts";
import { type KubeObject, isRecord } from "../api/types.ts";
export { type Compact, compact } from "../../adapters/kube/convert/compact.ts";
export { isDeleting, keyOf, nameOf } from "../kube/shared/objects.ts";

export type Json = Record<string, unknown>;

export function at(value: unknown, ...path: readonly string[]): unknown {
  let current = value;
  for (const key of path) {
    if (!isRecord(current)) return undefined;
    current = current[key];
  }
  return current;
}

export function textAt(value: unknown, ...path: readonly string[]): string | undefined {
  const found = at(value, ...path);
  return typeof found === "string" ? found : undefined;
}

export function numberAt(value: unknown, ...path: readonly string[]): number | undefined {
  const found = at(value, ...path);
  return typeof found === "number" && Number.isFinite(found) ? found : undefined;
}

export function flagAt(value: unknown, ...path: readonly string[]): boolean | undefined {
  const found = at(value, ...path);
  return typeof found === "boolean" ? found : undefined;
}

export function recordAt(value: unknown, ...path: readonly string[]): Json | undefined {
  const found = at(value, ...path);
  return isRecord(found) ? found : undefined;
}

export function listAt(value: unknown, ...path: readonly string[]): unknown[] {
  const found = at(value, ...path);
  return Array.isArray(found) ? found : [];
}

/** A map of strings (labels, nodeSelector); non-string values are dropped. */
export function stringMapAt(value: unknown, ...path: readonly string[]): Record<string, string> {
  const found = recordAt(value, ...path) ?? {};
  const result: Record<string, string> = {};
  for (const [key, entry] of Object.entries(found)) if (typeof entry === "string") result[key] = entry;
  return result;
}

/** A quantity field ("4Gi", "500m" or a plain number) in base units. */
export function quantityAt(value: unknown, ...path: readonly string[]): number | undefined {
  const found = at(value, ...path);
  if (typeof found === "number") return Number.isFinite(found) ? found : undefined;
  return typeof found === "string" ? parseQuantity(found) : undefined;
}

export function namespaceOf(object: KubeObject): string {
  return object.metadata.namespace ?? "";
}

export function uidOf(object: KubeObject): string {
  return object.metadata.uid ?? "";
}

export function splitKey(key: string): { namespace: string | undefined; name: string } {
  const slash = key.indexOf("/");
  return slash < 0
    ? { namespace: undefined, name: key }
    : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

export function labelsOf(object: KubeObject): Record<string, string> {
  return { ...object.metadata.labels };
}

export function annotationsOf(object: KubeObject): Record<string, string> {
  return { ...object.metadata.annotations };
}

/** The uid of the object's controller owner of the given kind, if any. */
export function controllerUid(object: KubeObject, kind: string): string | undefined {
  return object.metadata.ownerReferences?.find((ref) => ref.controller === true && ref.kind === kind)?.uid;
}

export function hasFinalizer(object: KubeObject, finalizer: string): boolean {
  return (object.metadata.finalizers ?? []).includes(finalizer);
}

/** Mutates a draft: removes the finalizer; returns whether it was there. */
export function dropFinalizer(draft: KubeObject, finalizer: string): boolean {
  const finalizers = draft.metadata.finalizers ?? [];
  if (!finalizers.includes(finalizer)) return false;
  draft.metadata.finalizers = finalizers.filter((item) => item !== finalizer);
  return true;
}

/** Milliseconds since the epoch of an RFC 3339 timestamp field, or undefined. */
export function timeAt(value: unknown, ...path: readonly string[]): number | undefined {
  const text = textAt(value, ...path);
  if (text === undefined) return undefined;
  const parsed = Date.parse(text);
  return Number.isNaN(parsed) ? undefined : parsed;
}

/** The draft's status, created if missing (for writes). */
export function statusOf(draft: KubeObject): Json {
  draft.status ??= {};
  return draft.status;
}

export function specOf(draft: KubeObject): Json {
  draft.spec ??= {};
  return draft.spec;
}

/** Ensures a nested record exists on a draft and returns it. */
export function recordIn(parent: Json, key: string): Json {
  const existing = parent[key];
  if (isRecord(existing)) return existing;
  const created: Json = {};
  parent[key] = created;
  return created;
}
