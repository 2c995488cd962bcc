/**
 * Generated object names: a pattern with an `{index}` placeholder, the index counted from 1 and
 * zero-padded to the width of the largest, so names sort in the order they were made.
 */

export const INDEX_PLACEHOLDER = "{index}";

/** At least two digits ("node-01"), more when the count needs them ("vm-00001"). */
export function indexWidth(count: number): number {
  return Math.max(2, String(count).length);
}

export function expandNames(pattern: string, count: number): string[] {
  const width = indexWidth(count);
  const names: string[] = [];
  for (let index = 1; index <= count; index += 1)
    names.push(pattern.replace(INDEX_PLACEHOLDER, String(index).padStart(width, "0")));
  return names;
}

/** The default pattern for a pool or group: its own name, a dash, the index. */
export function defaultPattern(owner: string): string {
  return `${owner}-${INDEX_PLACEHOLDER}`;
}
