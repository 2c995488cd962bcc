/** Server-side printing (meta.k8s.io/v1 Table), so `kubectl get` shows each kind's usual columns. */
import type { ResourceType } from "../api/resources.ts";
import type { KubeObject } from "../api/types.ts";

export type IncludeObject = "None" | "Metadata" | "Object";

/** Whether the Accept header asks for a Table (kubectl get does). */
export function wantsTable(accept: string | undefined): boolean {
  return accept !== undefined && /as=Table/.test(accept);
}

function rowObject(object: KubeObject, include: IncludeObject): unknown {
  if (include === "Object") return object;
  if (include === "None") return undefined;
  return { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: object.metadata };
}

export function toTable(
  resource: ResourceType,
  objects: readonly KubeObject[],
  options: { now: number; include: IncludeObject; resourceVersion: string; continueToken?: string | undefined },
): Record<string, unknown> {
  return {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata: {
      resourceVersion: options.resourceVersion,
      ...(options.continueToken && { continue: options.continueToken }),
    },
    columnDefinitions: resource.columns.map((column) => ({
      name: column.name,
      type: column.type === "date" ? "string" : column.type,
      format: column.format ?? "",
      description: column.description,
      priority: column.priority ?? 0,
    })),
    rows: objects.map((object) => {
      const embedded = rowObject(object, options.include);
      return {
        cells: resource.columns.map((column) => column.cell(object, options.now)),
        ...(embedded !== undefined && { object: embedded }),
      };
    }),
  };
}
