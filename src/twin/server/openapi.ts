/**
 * OpenAPI v3 documents, as much as kubectl needs: for each group version, the paths of its
 * resources with create, replace and patch operations tagged with their group-version-kind and
 * the fieldValidation and dryRun parameters. kubectl reads them to learn that the server
 * validates fields itself (so `kubectl apply` sends fieldValidation instead of validating
 * locally). Schemas are open objects, except KubeVirt's own where its swagger.json is at hand
 * (kubevirt-schemas.ts): the twin accepts what a real API server accepts.
 */
import { type ResourceRegistry, type ResourceType, apiVersionOf } from "../api/resources.ts";
import { kubevirtSchemas } from "./kubevirt-schemas.ts";

const QUERY_PARAMS = ["fieldValidation", "dryRun", "fieldManager"].map((name) => ({
  name,
  in: "query",
  schema: { type: "string", uniqueItems: true },
}));

function gvk(resource: ResourceType): Record<string, string> {
  return { group: resource.group, version: resource.version, kind: resource.kind };
}

function schemaName(resource: ResourceType): string {
  const group = resource.group ? resource.group.split(".").reverse().join(".") : "io.k8s.api.core";
  return `${group}.${resource.version}.${resource.kind}`;
}

function operation(resource: ResourceType, action: string): Record<string, unknown> {
  return {
    operationId: `${action}${resource.kind}`,
    parameters: QUERY_PARAMS,
    "x-kubernetes-action": action,
    "x-kubernetes-group-version-kind": gvk(resource),
    responses: {
      "200": {
        description: "OK",
        content: { "application/json": { schema: { $ref: `#/components/schemas/${schemaName(resource)}` } } },
      },
    },
  };
}

function basePath(resource: ResourceType): string {
  const prefix = resource.group ? `/apis/${apiVersionOf(resource)}` : "/api/v1";
  return resource.namespaced ? `${prefix}/namespaces/{namespace}/${resource.plural}` : `${prefix}/${resource.plural}`;
}

function pathsOf(resource: ResourceType): Record<string, unknown> {
  if (resource.virtual) return { [basePath(resource)]: { get: { ...operation(resource, "list"), parameters: [] } } };
  return {
    [basePath(resource)]: { post: operation(resource, "post") },
    [`${basePath(resource)}/{name}`]: { put: operation(resource, "put"), patch: operation(resource, "patch") },
  };
}

function groupVersionKey(resource: ResourceType): string {
  return resource.group ? `apis/${apiVersionOf(resource)}` : "api/v1";
}

export function openApiIndex(registry: ResourceRegistry): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const resource of registry.all) {
    const key = groupVersionKey(resource);
    paths[key] = { serverRelativeURL: `/openapi/v3/${key}` };
  }
  return { paths };
}

export function openApiDocument(registry: ResourceRegistry, key: string): Record<string, unknown> | undefined {
  const resources = registry.all.filter((resource) => groupVersionKey(resource) === key);
  if (resources.length === 0) return undefined;
  const schemas: Record<string, unknown> = {};
  let paths: Record<string, unknown> = {};
  const kubevirt = key === "apis/kubevirt.io/v1" ? kubevirtSchemas() : undefined;
  if (kubevirt) Object.assign(schemas, kubevirt);
  for (const resource of resources) {
    paths = { ...paths, ...pathsOf(resource) };
    const own = kubevirt?.[`v1.${resource.kind}`];
    schemas[schemaName(resource)] = own
      ? { ...own, "x-kubernetes-group-version-kind": [gvk(resource)] }
      : {
          type: "object",
          "x-kubernetes-group-version-kind": [gvk(resource)],
          "x-kubernetes-preserve-unknown-fields": true,
          properties: { apiVersion: { type: "string" }, kind: { type: "string" }, metadata: { type: "object" } },
        };
  }
  return {
    openapi: "3.0.0",
    info: { title: "Kubernetes (kubedrs twin)", version: "v1.32.0" },
    paths,
    components: { schemas },
  };
}
