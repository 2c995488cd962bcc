/** API discovery documents (/api, /apis, group versions, resource lists) from the resource registry. */
import { type ResourceRegistry, type ResourceType, apiVersionOf } from "../api/resources.ts";

function resourceEntries(resources: readonly ResourceType[]): Record<string, unknown>[] {
  const entries: Record<string, unknown>[] = [];
  for (const resource of resources) {
    entries.push({
      name: resource.plural,
      singularName: resource.singular,
      namespaced: resource.namespaced,
      kind: resource.kind,
      verbs: resource.verbs,
      ...(resource.shortNames.length > 0 && { shortNames: resource.shortNames }),
      ...(resource.categories.length > 0 && { categories: resource.categories }),
    });
    for (const subresource of resource.subresources) {
      const kind = subresource === "eviction" ? "Eviction" : resource.kind;
      const group = subresource === "eviction" ? "policy" : undefined;
      entries.push({
        name: `${resource.plural}/${subresource}`,
        singularName: "",
        namespaced: resource.namespaced,
        kind,
        ...(group && { group, version: "v1" }),
        verbs: subresource === "eviction" ? ["create"] : ["get", "patch", "update"],
      });
    }
  }
  return entries;
}

export function apiVersions(address: string): Record<string, unknown> {
  return {
    kind: "APIVersions",
    versions: ["v1"],
    serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: address }],
  };
}

function groupDocument(group: string, versions: readonly string[]): Record<string, unknown> {
  const entries = versions.map((version) => ({ groupVersion: `${group}/${version}`, version }));
  return { name: group, versions: entries, preferredVersion: entries[0] };
}

export function apiGroupList(registry: ResourceRegistry): Record<string, unknown> {
  return {
    kind: "APIGroupList",
    apiVersion: "v1",
    groups: registry.groups().map(({ group, versions }) => groupDocument(group, versions)),
  };
}

export function apiGroup(registry: ResourceRegistry, group: string): Record<string, unknown> | undefined {
  const found = registry.groups().find((entry) => entry.group === group);
  return found && { kind: "APIGroup", apiVersion: "v1", ...groupDocument(found.group, found.versions) };
}

export function resourceList(
  registry: ResourceRegistry,
  group: string,
  version: string,
): Record<string, unknown> | undefined {
  const resources = registry.all.filter((resource) => resource.group === group && resource.version === version);
  if (resources.length === 0) return undefined;
  return {
    kind: "APIResourceList",
    apiVersion: "v1",
    groupVersion: apiVersionOf(resources[0] as ResourceType),
    resources: resourceEntries(resources),
  };
}
