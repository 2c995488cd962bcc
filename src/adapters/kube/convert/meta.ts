/**
 * Unvalidated peeks into raw objects, for indexing and for naming an object in a warning before it
 * is converted. The conversion itself validates the same fields and reports what is wrong.
 */

/** A Kubernetes or KubeVirt object as plain JSON (or YAML) gives it. */
export type JsonObject = { readonly [key: string]: unknown };

/**
 * A Kubernetes object either as @kubernetes/client-node types it (timestamps as Date) or as plain JSON
 * (timestamps as RFC 3339 strings). The converters accept both.
 */
export type KubeObject<Typed> = Typed | JsonObject;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** The value at `path`, or undefined when any step is missing or not an object. */
export function peek(raw: unknown, path: readonly string[]): unknown {
  let value = raw;
  for (const key of path) {
    if (!isJsonObject(value)) return undefined;
    value = value[key];
  }
  return value;
}

export function peekString(raw: unknown, path: readonly string[]): string | undefined {
  const value = peek(raw, path);
  return typeof value === "string" && value !== "" ? value : undefined;
}

export function peekLabel(raw: unknown, key: string): string | undefined {
  const value = peek(raw, ["metadata", "labels", key]);
  return typeof value === "string" ? value : undefined;
}

/** "namespace/name", the key objects are joined by. */
export function namespacedName(namespace: string | undefined, name: string | undefined): string {
  return `${namespace ?? ""}/${name ?? ""}`;
}

export function keyOf(raw: unknown): string {
  return namespacedName(peekString(raw, ["metadata", "namespace"]), peekString(raw, ["metadata", "name"]));
}

/** The name of the owner of the given kind, from metadata.ownerReferences. */
export function ownerName(raw: unknown, kind: string): string | undefined {
  const owners = peek(raw, ["metadata", "ownerReferences"]);
  if (!Array.isArray(owners)) return undefined;
  const owner: unknown = owners.find((reference) => peekString(reference, ["kind"]) === kind);
  return peekString(owner, ["name"]);
}

/** How warnings name an object: "VirtualMachineInstance default/web-1", "Node worker-3". */
export function describeObject(kind: string, raw: unknown): string {
  const namespace = peekString(raw, ["metadata", "namespace"]);
  const name = peekString(raw, ["metadata", "name"]) ?? "<no name>";
  return namespace === undefined ? `${kind} ${name}` : `${kind} ${namespace}/${name}`;
}
