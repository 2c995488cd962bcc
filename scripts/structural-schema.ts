/**
 * Turns a JSON Schema (draft 2020-12, as zod writes it) into a Kubernetes structural schema for
 * a CRD's openAPIV3Schema. The API server refuses schemas that are not structural: every node
 * has a type (or says int-or-string or preserve-unknown-fields), `properties` and
 * `additionalProperties` never meet, logical junctors only repeat fields specified outside them
 * and set no type, description, default or nullable, and there is no $ref, const or
 * uniqueItems. Unions become one merged node (kube-rs does the same for Rust enums), keeping
 * which fields each alternative requires as an `anyOf`. The result never rejects what the zod
 * schema accepts, except fractional numbers where a string is also allowed (int-or-string); the
 * policy loader still validates every object in full.
 */

type Schema = Record<string, unknown>;

/** String formats the API server knows (k8s.io/kube-openapi's strfmt registry, the usual ones). */
const KNOWN_FORMATS = new Set([
  "uri",
  "email",
  "hostname",
  "ipv4",
  "ipv6",
  "cidr",
  "mac",
  "uuid",
  "byte",
  "date",
  "date-time",
  "duration",
  "password",
]);

/** Constraints copied as they are onto a node of the matching type. */
const STRING_CONSTRAINTS = ["minLength", "maxLength", "enum"] as const;
const ARRAY_CONSTRAINTS = ["minItems", "maxItems"] as const;
const OBJECT_CONSTRAINTS = ["minProperties", "maxProperties"] as const;

const PRESERVE = "x-kubernetes-preserve-unknown-fields";
const INT_OR_STRING = "x-kubernetes-int-or-string";

function isSchema(value: unknown): value is Schema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** What a node may say about itself whatever its type: description and default. */
function annotations(source: Schema): Schema {
  return {
    ...(typeof source.description === "string" && { description: source.description }),
    ...(source.default !== undefined && { default: source.default }),
  };
}

function anything(source: Schema): Schema {
  return { ...annotations(source), [PRESERVE]: true };
}

/** Go's RE2 has no lookaround and no backreferences; such a pattern is left to the loader. */
function re2Compatible(pattern: string): boolean {
  return !/\(\?<?[=!]|\\[1-9]/.test(pattern);
}

function copy(source: Schema, keys: readonly string[]): Schema {
  return Object.fromEntries(keys.filter((key) => source[key] !== undefined).map((key) => [key, source[key]]));
}

function stringNode(source: Schema): Schema {
  const format = typeof source.format === "string" && KNOWN_FORMATS.has(source.format) ? source.format : undefined;
  // A known format says what the (often huge) generated pattern says.
  const pattern =
    !format && typeof source.pattern === "string" && re2Compatible(source.pattern) ? source.pattern : undefined;
  return {
    type: "string",
    ...annotations(source),
    ...copy(source, STRING_CONSTRAINTS),
    ...(format && { format }),
    ...(pattern && { pattern }),
  };
}

/** JSON Schema's numeric exclusive bounds become OpenAPI 3.0's boolean ones; safe-integer bounds go. */
function numberNode(source: Schema, type: "number" | "integer"): Schema {
  const node: Schema = { type, ...annotations(source) };
  const bound = (value: unknown): value is number =>
    typeof value === "number" && Math.abs(value) < Number.MAX_SAFE_INTEGER;
  if (bound(source.minimum)) node.minimum = source.minimum;
  if (bound(source.maximum)) node.maximum = source.maximum;
  if (bound(source.exclusiveMinimum)) Object.assign(node, { minimum: source.exclusiveMinimum, exclusiveMinimum: true });
  if (bound(source.exclusiveMaximum)) Object.assign(node, { maximum: source.exclusiveMaximum, exclusiveMaximum: true });
  if (typeof source.multipleOf === "number") node.multipleOf = source.multipleOf;
  if (Array.isArray(source.enum)) node.enum = source.enum;
  return node;
}

function isScalarNode(node: Schema): boolean {
  return node.type === "string" || node.type === "integer" || node.type === "number" || node.type === "boolean";
}

/** The order keys are written in: what a reader looks for first, then the nested schemas. */
const KEY_ORDER = [
  "description",
  "type",
  "nullable",
  "format",
  "enum",
  "default",
  "minimum",
  "exclusiveMinimum",
  "maximum",
  "exclusiveMaximum",
  "multipleOf",
  "minLength",
  "maxLength",
  "pattern",
  "minItems",
  "maxItems",
  "minProperties",
  "maxProperties",
  INT_OR_STRING,
  PRESERVE,
  "x-kubernetes-list-type",
  "items",
  "properties",
  "additionalProperties",
  "required",
  "anyOf",
];

function rank(key: string): number {
  const index = KEY_ORDER.indexOf(key);
  return index < 0 ? KEY_ORDER.length : index;
}

function ordered(node: Schema): Schema {
  const keys = Object.keys(node).sort((a, b) => rank(a) - rank(b));
  return Object.fromEntries(keys.map((key) => [key, orderedChild(key, node[key])]));
}

function orderedChild(key: string, value: unknown): unknown {
  if ((key === "items" || key === "additionalProperties") && isSchema(value)) return ordered(value);
  if (key === "properties" && isSchema(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([name, child]) => [name, isSchema(child) ? ordered(child) : child]),
    );
  }
  if (key === "anyOf" && Array.isArray(value))
    return (value as unknown[]).map((branch) => (isSchema(branch) ? ordered(branch) : branch));
  return value;
}

/** The structural form of a whole JSON Schema document, keys in reading order. */
export function structuralSchema(document: Schema): Schema {
  return ordered(new StructuralSchemaWriter(document).convert());
}

export class StructuralSchemaWriter {
  private readonly root: Schema;
  private readonly resolving: string[] = [];

  constructor(root: Schema) {
    this.root = root;
  }

  /** The structural form of `source` (by default, the whole root document). */
  convert(source: Schema = this.root): Schema {
    if (typeof source.$ref === "string") return this.reference(source);
    const alternatives = source.anyOf ?? source.oneOf;
    if (Array.isArray(alternatives)) return this.union(source, alternatives.filter(isSchema));
    if (Array.isArray(source.allOf)) return this.convert(this.flattenAllOf(source));
    const node = "const" in source ? { ...source, enum: [source.const] } : source;
    return this.typed(node, this.typeOf(node));
  }

  private reference(source: Schema): Schema {
    const ref = source.$ref as string;
    const match = /^#\/(\$defs|definitions)\/(.+)$/.exec(ref);
    const target = match ? (this.root[match[1] ?? ""] as Schema | undefined)?.[match[2] ?? ""] : undefined;
    // A recursive type cannot be spelled out in a schema without $ref: its depth is left open.
    if (!isSchema(target) || this.resolving.includes(ref)) return anything(source);
    this.resolving.push(ref);
    try {
      const { $ref: _, ...rest } = source;
      return this.convert({ ...target, ...rest });
    } finally {
      this.resolving.pop();
    }
  }

  private flattenAllOf(source: Schema): Schema {
    const { allOf, ...rest } = source;
    let merged: Schema = rest;
    for (const part of (allOf as unknown[]).filter(isSchema)) {
      merged = {
        ...merged,
        ...part,
        properties: { ...(merged.properties as Schema | undefined), ...(part.properties as Schema | undefined) },
      };
    }
    return merged;
  }

  /** One type name, or undefined for "anything". A nullable type keeps its type and says so. */
  private typeOf(source: Schema): string | undefined {
    if (typeof source.type === "string") return source.type;
    if (Array.isArray(source.type)) {
      const types = source.type.filter((type): type is string => typeof type === "string" && type !== "null");
      if (types.length === 1) return types[0];
      return types.length > 1 ? types.sort().join("|") : undefined;
    }
    if (source.properties || source.additionalProperties !== undefined) return "object";
    if (source.items) return "array";
    if (Array.isArray(source.enum) && source.enum.every((value) => typeof value === "string")) return "string";
    return undefined;
  }

  private typed(source: Schema, type: string | undefined): Schema {
    const nullable = Array.isArray(source.type) && source.type.includes("null") ? { nullable: true } : {};
    switch (type) {
      case "object":
        return { ...this.object(source), ...nullable };
      case "array":
        return { ...this.array(source), ...nullable };
      case "string":
        return { ...stringNode(source), ...nullable };
      case "number":
      case "integer":
        return { ...numberNode(source, type), ...nullable };
      case "boolean":
        return { type: "boolean", ...annotations(source), ...nullable };
      case "integer|string":
      case "number|string":
        return { ...annotations(source), [INT_OR_STRING]: true, ...nullable };
      default:
        return anything(source);
    }
  }

  private object(source: Schema): Schema {
    const node: Schema = { type: "object", ...annotations(source), ...copy(source, OBJECT_CONSTRAINTS) };
    const properties = isSchema(source.properties) ? source.properties : {};
    const names = Object.keys(properties);
    const extra = source.additionalProperties;
    if (names.length === 0) {
      // A map: additionalProperties, never beside properties.
      if (isSchema(extra) && Object.keys(extra).length > 0) node.additionalProperties = this.convert(extra);
      else if (extra !== false) node[PRESERVE] = true;
      return node;
    }
    node.properties = Object.fromEntries(names.map((name) => [name, this.convert(properties[name] as Schema)]));
    const required = Array.isArray(source.required)
      ? (source.required as unknown[]).filter(
          (name): name is string => typeof name === "string" && names.includes(name),
        )
      : [];
    if (required.length > 0) node.required = required;
    // Extra fields the schema allows are kept. A closed object needs nothing: the API server prunes
    // unknown fields, and refuses them under kubectl's strict field validation.
    if (extra === true || isSchema(extra)) node[PRESERVE] = true;
    return node;
  }

  private array(source: Schema): Schema {
    const items = isSchema(source.items) ? this.convert(source.items) : anything({});
    const node: Schema = { type: "array", ...annotations(source), ...copy(source, ARRAY_CONSTRAINTS), items };
    // uniqueItems is refused (quadratic to check); a set of scalars says the same the Kubernetes way.
    if (source.uniqueItems === true && isScalarNode(items)) node["x-kubernetes-list-type"] = "set";
    return node;
  }

  /** anyOf / oneOf: the alternatives merged into one structural node. */
  private union(source: Schema, alternatives: Schema[]): Schema {
    const present = alternatives.filter((alternative) => alternative.type !== "null");
    const nullable = present.length < alternatives.length ? { nullable: true } : {};
    return {
      ...mergeAlternatives(present.map((alternative) => this.convert(alternative))),
      ...annotations(source),
      ...nullable,
    };
  }
}

/** Merges the structural nodes of a union's alternatives into one node that accepts each. */
function mergeAlternatives(nodes: readonly Schema[]): Schema {
  const first = nodes[0];
  if (!first) return { [PRESERVE]: true };
  if (nodes.length === 1) return first;
  const description = nodes.map((node) => node.description).find((text) => typeof text === "string");
  const shared = {
    ...(typeof description === "string" && { description }),
    ...(nodes.every((node) => node.default !== undefined && sameJson(node.default, first.default)) && {
      default: first.default,
    }),
  };
  const kinds = new Set(nodes.map(kindOf));
  const only = (...allowed: string[]): boolean => [...kinds].every((kind) => allowed.includes(kind));
  if (only("object")) return { ...mergeObjects(nodes), ...shared };
  if (only("array")) return { ...mergeArrays(nodes), ...shared };
  if (kinds.size === 1 || only("integer", "number")) return { ...mergeScalars(nodes, kinds), ...shared };
  if (only("integer", "number", "string", "int-or-string")) {
    return { ...shared, ...mergeIntOrString(nodes), [INT_OR_STRING]: true };
  }
  return { ...shared, [PRESERVE]: true };
}

/** What a structural node holds: its type, int-or-string, or anything. */
function kindOf(node: Schema): string {
  if (node[INT_OR_STRING]) return "int-or-string";
  return typeof node.type === "string" ? node.type : "any";
}

/** Alternatives of one scalar type: enums join, other constraints stay only when they agree. */
function mergeScalars(nodes: readonly Schema[], kinds: ReadonlySet<string>): Schema {
  if (kinds.has("any")) return { [PRESERVE]: true };
  if (kinds.has("int-or-string")) return { ...mergeIntOrString(nodes), [INT_OR_STRING]: true };
  const type = kinds.size === 1 ? (nodes[0]?.type as string) : "number";
  const merged: Schema = { type };
  if (nodes.every((node) => Array.isArray(node.enum))) {
    merged.enum = [...new Set(nodes.flatMap((node) => node.enum as unknown[]))];
  }
  for (const key of [
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "pattern",
    "format",
  ]) {
    const first = nodes[0]?.[key];
    if (first !== undefined && nodes.every((node) => sameJson(node[key], first))) merged[key] = first;
  }
  return merged;
}

/**
 * Numbers and strings: a pattern still applies to the strings and a minimum to the numbers, when
 * every alternative that takes them agrees on it.
 */
function mergeIntOrString(nodes: readonly Schema[]): Schema {
  const agreed = (kinds: readonly string[], key: string): unknown => {
    const values = nodes.filter((node) => kinds.includes(kindOf(node))).map((node) => node[key]);
    const first = values[0];
    return first !== undefined && values.every((value) => sameJson(value, first)) ? first : undefined;
  };
  const pattern = agreed(["string", "int-or-string"], "pattern");
  const minimum = agreed(["integer", "number", "int-or-string"], "minimum");
  const exclusive = agreed(["integer", "number", "int-or-string"], "exclusiveMinimum");
  return {
    ...(typeof pattern === "string" && { pattern }),
    ...(typeof minimum === "number" && { minimum, ...(exclusive === true && { exclusiveMinimum: true }) }),
  };
}

function mergeArrays(nodes: readonly Schema[]): Schema {
  return { type: "array", items: mergeAlternatives(nodes.map((node) => node.items as Schema)) };
}

/**
 * Objects: every property of every alternative, merged where several define it. What each
 * alternative requires (and the constant that tells it apart, if any) stays as an anyOf, which
 * only names fields the merged node specifies.
 */
function mergeObjects(nodes: readonly Schema[]): Schema {
  if (nodes.some((node) => node.additionalProperties !== undefined || node[PRESERVE])) {
    return { type: "object", [PRESERVE]: true };
  }
  const byName = new Map<string, Schema[]>();
  for (const node of nodes) {
    for (const [name, property] of Object.entries((node.properties ?? {}) as Record<string, Schema>)) {
      byName.set(name, [...(byName.get(name) ?? []), property]);
    }
  }
  const properties = Object.fromEntries(
    [...byName].map(([name, alternatives]) => {
      const merged = { ...mergeAlternatives(alternatives) };
      // A default only one alternative has would add a field the others do not allow.
      if (alternatives.length < nodes.length) delete merged.default;
      return [name, merged];
    }),
  );
  const branches = nodes.map(branchOf);
  const telling = branches.some((branch) => Object.keys(branch).length > 0);
  return { type: "object", properties, ...(telling && { anyOf: branches }) };
}

/** What tells one alternative apart: its required fields and its single-value enums. */
function branchOf(node: Schema): Schema {
  const discriminators = Object.entries((node.properties ?? {}) as Record<string, Schema>).filter(
    ([, property]) => Array.isArray(property.enum) && property.enum.length === 1,
  );
  return {
    ...(Array.isArray(node.required) && node.required.length > 0 && { required: node.required }),
    ...(discriminators.length > 0 && {
      properties: Object.fromEntries(discriminators.map(([name, property]) => [name, { enum: property.enum }])),
    }),
  };
}
