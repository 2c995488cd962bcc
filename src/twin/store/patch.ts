/**
 * The three patch types kubectl and clients send: JSON patch (RFC 6902, via fast-json-patch),
 * JSON merge patch (RFC 7386), and strategic merge patch for built-in types, where lists with a
 * merge key (containers by name, conditions by type, …) merge element by element. As in a real
 * API server, custom resources (KubeVirt's, medik8s') refuse strategic merge patches.
 */
import fastJsonPatch from "fast-json-patch";
import type { ResourceType } from "../api/resources.ts";
import { errors } from "../api/status.ts";
import { isRecord } from "../api/types.ts";
import { cloneJson } from "../api/json-clone.ts";

export type PatchType = "json" | "merge" | "strategic";

export const PATCH_CONTENT_TYPES: Readonly<Record<string, PatchType>> = {
  "application/json-patch+json": "json",
  "application/merge-patch+json": "merge",
  "application/strategic-merge-patch+json": "strategic",
};

/** Built-in API groups: the only ones that accept strategic merge patches. */
const BUILT_IN_GROUPS = new Set(["", "coordination.k8s.io", "policy", "apps", "batch"]);

/** Merge keys of the lists strategic merge patch merges, by path (array elements as []). */
const MERGE_KEYS: Readonly<Record<string, string>> = {
  "metadata.ownerReferences": "uid",
  "spec.containers": "name",
  "spec.initContainers": "name",
  "spec.containers[].env": "name",
  "spec.containers[].ports": "containerPort",
  "spec.containers[].volumeMounts": "mountPath",
  "spec.volumes": "name",
  "spec.imagePullSecrets": "name",
  "status.conditions": "type",
  "status.containerStatuses": "name",
  "status.addresses": "type",
  "spec.podCIDRs": "",
};

/** Lists of scalars strategic merge patch unions rather than replaces. */
const MERGED_SCALAR_LISTS = new Set(["metadata.finalizers"]);

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isRecord(patch)) return cloneJson(patch);
  const result: Record<string, unknown> = isRecord(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

function strategicList(target: unknown, patch: unknown[], path: string): unknown[] {
  const key = MERGE_KEYS[path];
  const current = Array.isArray(target) ? [...(target as unknown[])] : [];
  if (MERGED_SCALAR_LISTS.has(path)) return [...current, ...patch.filter((item) => !current.includes(item))];
  if (!key) return patch.filter((item) => !(isRecord(item) && "$patch" in item)).map((item) => cloneJson(item));
  for (const item of patch) {
    if (!isRecord(item)) continue;
    const index = current.findIndex((existing) => isRecord(existing) && existing[key] === item[key]);
    if (item.$patch === "delete") {
      if (index >= 0) current.splice(index, 1);
      continue;
    }
    if (index >= 0) current[index] = strategicMerge(current[index], item, `${path}[]`);
    else current.push(strategicMerge(undefined, item, `${path}[]`));
  }
  return current;
}

/** `$deleteFromPrimitiveList/<field>`: drop the listed values from a list of scalars. */
function deleteFromPrimitiveList(result: Record<string, unknown>, field: string, values: unknown): void {
  const list = result[field];
  if (Array.isArray(list) && Array.isArray(values))
    result[field] = list.filter((item) => !(values as unknown[]).includes(item));
}

/** Directives strategic merge patch carries but that change nothing here (ordering, retained keys). */
function ignoredDirective(key: string): boolean {
  return key.startsWith("$setElementOrder/") || key === "$retainKeys" || key === "$patch";
}

function strategicMerge(target: unknown, patch: unknown, path: string): unknown {
  if (Array.isArray(patch)) return strategicList(target, patch, path);
  if (!isRecord(patch)) return cloneJson(patch);
  if (patch.$patch === "replace") {
    const { $patch: _ignored, ...rest } = patch;
    return cloneJson(rest);
  }
  const result: Record<string, unknown> = isRecord(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (ignoredDirective(key)) continue;
    if (key.startsWith("$deleteFromPrimitiveList/"))
      deleteFromPrimitiveList(result, key.slice("$deleteFromPrimitiveList/".length), value);
    else if (value === null) delete result[key];
    else result[key] = strategicMerge(result[key], value, path ? `${path}.${key}` : key);
  }
  return result;
}

function jsonPatch(target: unknown, patch: unknown): unknown {
  if (!Array.isArray(patch)) throw errors.badRequest("a JSON patch must be a list of operations");
  try {
    return fastJsonPatch.applyPatch(cloneJson(target), patch as fastJsonPatch.Operation[], true, false).newDocument;
  } catch (error) {
    const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
    throw errors.invalid({ group: "", kind: "Patch", plural: "patches", name: "" }, [
      { message: message ?? "invalid patch" },
    ]);
  }
}

export function applyPatch(resource: ResourceType, target: unknown, patchType: PatchType, patch: unknown): unknown {
  switch (patchType) {
    case "json":
      return jsonPatch(target, patch);
    case "merge":
      return mergePatch(target, patch);
    case "strategic":
      if (!BUILT_IN_GROUPS.has(resource.group))
        throw errors.unsupportedMediaType(
          "application/strategic-merge-patch+json (not supported for custom resources)",
        );
      return strategicMerge(target, patch, "");
  }
}
