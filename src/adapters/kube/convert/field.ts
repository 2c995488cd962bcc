/**
 * A cursor into a raw object that knows its own path. Readers return the value in the core's terms
 * (quantities as numbers, timestamps as RFC 3339 strings) or undefined; when a value is present but
 * odd they also record a problem naming the field, so converters never need to throw.
 *
 * Absent, null and empty-string values all count as unset, as Go's `omitempty` writes them.
 */
import { quantityValue, toMillicores } from "../../../core/model/quantity.ts";
import type { Issues } from "./issues.ts";
import { isJsonObject, type JsonObject } from "./meta.ts";

const plainKey = /^[A-Za-z_][A-Za-z0-9_]*$/;
const rfc3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function childPath(path: string, key: string): string {
  if (!plainKey.test(key)) return `${path}[${JSON.stringify(key)}]`;
  return path === "" ? key : `${path}.${key}`;
}

function shown(value: unknown): string {
  if (Array.isArray(value)) return "a list";
  if (value instanceof Date) return "a date";
  if (typeof value === "object" && value !== null) return "an object";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function rangeText(min: number, max: number): string {
  if (max < Number.MAX_SAFE_INTEGER) return ` from ${min} to ${max}`;
  return min > Number.MIN_SAFE_INTEGER ? ` ≥ ${min}` : "";
}

function isRfc3339(text: string): boolean {
  return rfc3339.test(text) && !Number.isNaN(Date.parse(text));
}

/** Kubernetes writes whole-second times without fractions; client-node's Date would add ".000". */
function formatDate(date: Date): string {
  return date.toISOString().replace(/\.000Z$/, "Z");
}

export class Field {
  readonly value: unknown;
  private readonly path: string;
  private readonly origin: string;
  private readonly issues: Issues;

  private constructor(value: unknown, path: string, origin: string, issues: Issues) {
    this.value = value;
    this.path = path;
    this.origin = origin;
    this.issues = issues;
  }

  /**
   * The top of an object. `origin` prefixes the paths when the object is not the one being converted,
   * e.g. "Pod default/virt-launcher-web-1-x7k2p" while converting its VMI.
   */
  static root(value: unknown, issues: Issues, origin = ""): Field {
    return new Field(value, "", origin, issues);
  }

  get present(): boolean {
    return this.value !== undefined && this.value !== null && this.value !== "";
  }

  /** Records a problem with this field. */
  report(message: string): void {
    const where = this.origin === "" ? this.path : `${this.origin} ${this.path}`.trim();
    this.issues.problem(where, message);
  }

  /** Reports the field as missing when it is unset; returns itself for chaining. */
  required(): Field {
    if (!this.present) this.report("missing");
    return this;
  }

  key(name: string): Field {
    return new Field(this.object()?.[name], childPath(this.path, name), this.origin, this.issues);
  }

  has(name: string): boolean {
    return this.key(name).present;
  }

  object(): JsonObject | undefined {
    if (!this.present) return undefined;
    if (isJsonObject(this.value)) return this.value;
    this.report(`expected an object, found ${shown(this.value)}`);
    return undefined;
  }

  /** The items of a list; empty when unset. */
  list(): Field[] {
    if (!this.present) return [];
    if (!Array.isArray(this.value)) {
      this.report(`expected a list, found ${shown(this.value)}`);
      return [];
    }
    return this.value.map((item: unknown, index) => {
      return new Field(item, `${this.path}[${index}]`, this.origin, this.issues);
    });
  }

  /** The items of a list mapped by `read`, dropping the odd ones (which reported themselves); undefined when unset. */
  listOf<T>(read: (item: Field) => T | undefined): T[] | undefined {
    if (!this.present) return undefined;
    return this.list()
      .map(read)
      .filter((item): item is T => item !== undefined);
  }

  entries(): [string, Field][] {
    return Object.keys(this.object() ?? {}).map((name) => [name, this.key(name)]);
  }

  string(): string | undefined {
    if (!this.present) return undefined;
    if (typeof this.value === "string") return this.value;
    this.report(`expected a string, found ${shown(this.value)}`);
    return undefined;
  }

  boolean(): boolean | undefined {
    if (!this.present) return undefined;
    if (typeof this.value === "boolean") return this.value;
    this.report(`expected true or false, found ${shown(this.value)}`);
    return undefined;
  }

  /** A safe integer within [min, max]. */
  integer(min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): number | undefined {
    if (!this.present) return undefined;
    const value = this.value;
    if (typeof value === "number" && Number.isSafeInteger(value) && value >= min && value <= max) return value;
    const inexact = typeof value === "number" && !Number.isSafeInteger(value) && Number.isInteger(value);
    this.report(`expected an integer${rangeText(min, max)}, found ${shown(value)}${inexact ? " (too large)" : ""}`);
    return undefined;
  }

  /** One of the allowed strings. */
  oneOf<T extends string>(allowed: readonly T[]): T | undefined {
    if (!this.present) return undefined;
    const found = allowed.find((option) => option === this.value);
    if (found !== undefined) return found;
    this.report(
      `unknown value ${shown(this.value)} (expected one of ${allowed.map((a) => JSON.stringify(a)).join(", ")})`,
    );
    return undefined;
  }

  /** A map of strings, such as labels; empty strings are kept, they are label values like any other. */
  stringMap(): Record<string, string> | undefined {
    if (!this.present) return undefined;
    const map: Record<string, string> = {};
    for (const [name, field] of this.entries()) {
      if (typeof field.value === "string") map[name] = field.value;
      else field.report(`expected a string, found ${shown(field.value)}`);
    }
    return map;
  }

  /** A list of strings; empty strings are kept (a selector may ask for an empty label value). */
  stringList(): string[] | undefined {
    return this.listOf((item) => {
      if (typeof item.value === "string") return item.value;
      item.report(`expected a string, found ${shown(item.value)}`);
      return undefined;
    });
  }

  /** An RFC 3339 time, given as a string (JSON) or a Date (client-node). */
  timestamp(): string | undefined {
    if (!this.present) return undefined;
    if (this.value instanceof Date && !Number.isNaN(this.value.getTime())) return formatDate(this.value);
    if (typeof this.value === "string" && isRfc3339(this.value)) return this.value;
    this.report(`expected an RFC 3339 time, found ${shown(this.value)}`);
    return undefined;
  }

  /** A non-negative quantity ("16Gi", "1e9", 8) in base units: bytes, counts, bytes per second. */
  quantity(): number | undefined {
    if (!this.present) return undefined;
    const value = this.value;
    const parsed = typeof value === "string" || typeof value === "number" ? quantityValue(value) : undefined;
    if (parsed !== undefined && Number.isFinite(parsed) && parsed >= 0) return parsed;
    this.report(`not a valid quantity: ${shown(value)} (examples: 500m, 4, 16Gi)`);
    return undefined;
  }

  /** A CPU quantity ("250m", 2) in millicores. */
  millicores(): number | undefined {
    const cores = this.quantity();
    return cores === undefined ? undefined : toMillicores(cores);
  }

  /** A ResourceList: "cpu" in millicores, everything else (memory, hugepages-*, pods, devices) in base units. */
  resourceList(): Record<string, number> | undefined {
    if (!this.present) return undefined;
    const list: Record<string, number> = {};
    for (const [name, field] of this.entries()) {
      const amount = name === "cpu" ? field.millicores() : field.quantity();
      if (amount !== undefined) list[name] = amount;
    }
    return list;
  }
}
