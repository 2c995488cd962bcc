/** Parses Kubernetes API paths into the resource, namespace, name and subresource they address. */
import type { ResourceRegistry, ResourceType } from "../api/resources.ts";
import { errors } from "../api/status.ts";

export interface ResourcePath {
  readonly resource: ResourceType;
  readonly namespace: string | undefined;
  readonly name: string | undefined;
  readonly subresource: string | undefined;
}

/** `/api/v1/...` or `/apis/{group}/{version}/...`: the group, version and the rest. */
function groupVersion(segments: readonly string[]): { group: string; version: string; rest: string[] } | undefined {
  if (segments[0] === "api" && segments[1]) return { group: "", version: segments[1], rest: segments.slice(2) };
  if (segments[0] === "apis" && segments[1] && segments[2])
    return { group: segments[1], version: segments[2], rest: segments.slice(3) };
  return undefined;
}

export function parseResourcePath(registry: ResourceRegistry, pathname: string): ResourcePath | undefined {
  const segments = pathname
    .split("/")
    .filter((segment) => segment !== "")
    .map(decodeURIComponent);
  const gv = groupVersion(segments);
  if (!gv || gv.rest.length === 0) return undefined;
  const { group, version, rest } = gv;
  const namespacedTarget =
    rest[0] === "namespaces" && rest.length >= 3 ? registry.find(group, version, rest[2] ?? "") : undefined;
  if (namespacedTarget?.namespaced) {
    return { resource: namespacedTarget, namespace: rest[1], name: rest[3], subresource: rest[4] };
  }
  const resource = registry.find(group, version, rest[0] ?? "");
  if (!resource) throw errors.pathNotFound(pathname);
  if (resource.namespaced && rest.length > 1) throw errors.pathNotFound(pathname);
  return { resource, namespace: undefined, name: rest[1], subresource: rest[2] };
}
