/**
 * An audit trail of the resource requests the twin's API server receives, in the terms RBAC
 * authorizes them by (verb, API group, resource, subresource, namespace, name), so a test can
 * check what a client really did against the Roles it is deployed with. Off unless a twin asks
 * for it; bounded, keeping the most recent requests.
 */
import type { ResourcePath } from "./paths.ts";

/** Kubernetes authorization verbs of resource requests. */
export type AuditVerb = "get" | "list" | "watch" | "create" | "update" | "patch" | "delete" | "deletecollection";

export interface AuditRecord {
  readonly verb: AuditVerb;
  /** "" for the core group. */
  readonly apiGroup: string;
  readonly resource: string;
  readonly subresource?: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly userAgent?: string;
}

export interface AuditOptions {
  /** How many of the most recent requests are kept (default 10,000). */
  readonly limit?: number;
}

const DEFAULT_LIMIT = 10_000;

/**
 * The authorization verb of a request, as kube-apiserver's RequestInfoFactory derives it: a
 * GET without a name is a list, or a watch with `watch=true`; a DELETE without a name is a
 * deletecollection. Undefined for methods the API does not serve.
 */
export function auditVerb(method: string, path: ResourcePath, params: URLSearchParams): AuditVerb | undefined {
  const named = path.name !== undefined && path.name !== "";
  switch (method) {
    case "GET": {
      if (named) return "get";
      const watch = params.get("watch");
      return watch === "true" || watch === "1" ? "watch" : "list";
    }
    case "POST":
      return "create";
    case "PUT":
      return "update";
    case "PATCH":
      return "patch";
    case "DELETE":
      return named ? "delete" : "deletecollection";
    default:
      return undefined;
  }
}

/** A list or watch narrowed to one name by `fieldSelector=metadata.name=X` is authorized for that name. */
function selectedName(params: URLSearchParams): string | undefined {
  const selector = params.get("fieldSelector");
  const match = selector ? /^metadata\.name==?([^,]+)$/.exec(selector) : null;
  return match?.[1];
}

export function auditRecord(
  method: string,
  path: ResourcePath,
  url: URL,
  userAgent: string | undefined,
): AuditRecord | undefined {
  const verb = auditVerb(method, path, url.searchParams);
  if (!verb) return undefined;
  const name = path.name || (verb === "list" || verb === "watch" ? selectedName(url.searchParams) : undefined);
  // A request about a namespace is made in that namespace, so a Role there can grant it.
  const namespace = path.resource.group === "" && path.resource.plural === "namespaces" ? name : path.namespace;
  return {
    verb,
    apiGroup: path.resource.group,
    resource: path.resource.plural,
    ...(path.subresource && { subresource: path.subresource }),
    ...(namespace && { namespace }),
    ...(name && { name }),
    ...(userAgent && { userAgent }),
  };
}

/** The most recent `limit` records, oldest first, in a ring so a busy client costs no copying. */
export class AuditLog {
  private readonly limit: number;
  private readonly records: AuditRecord[] = [];
  private next = 0;

  constructor(options: AuditOptions = {}) {
    const limit = options.limit ?? DEFAULT_LIMIT;
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`audit limit must be a positive integer, not ${limit}`);
    this.limit = limit;
  }

  record(entry: AuditRecord): void {
    if (this.records.length < this.limit) this.records.push(entry);
    else this.records[this.next] = entry;
    this.next = (this.next + 1) % this.limit;
  }

  entries(): readonly AuditRecord[] {
    if (this.records.length < this.limit) return [...this.records];
    return [...this.records.slice(this.next), ...this.records.slice(0, this.next)];
  }

  clear(): void {
    this.records.length = 0;
    this.next = 0;
  }
}
