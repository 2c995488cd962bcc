/**
 * Equality of JSON values as the API server sees content: key order does not matter, and a key
 * whose value is undefined is no key at all (it would not survive serialization). It builds no
 * strings and stops at the first difference, where comparing JSON.stringify output builds two.
 */
function definedKeys(value: Record<string, unknown>): string[] {
  return Object.keys(value).filter((key) => value[key] !== undefined);
}

export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = definedKeys(left);
  if (keys.length !== definedKeys(right).length) return false;
  return keys.every((key) => jsonEqual(left[key], right[key]));
}
