/**
 * List order and pages. Lists come back in namespace/name order, as etcd's key order gives them;
 * a page's continue token names the key to resume after, with a version so foreign tokens are
 * refused. Keys are built once per list and pages found by binary search: kubectl reads 30,000
 * VMIs as 60 pages of 500, and each page sorts the whole list again.
 */
import type { KubeObject } from "../api/types.ts";
import { errors } from "../api/status.ts";

interface Keyed {
  readonly key: string;
  readonly object: KubeObject;
}

export interface Page {
  readonly items: KubeObject[];
  readonly continueToken: string | undefined;
  readonly remaining: number;
}

function keyOf(object: KubeObject): string {
  return `${object.metadata.namespace ?? ""}/${object.metadata.name ?? ""}`;
}

function sortedKeyed(objects: readonly KubeObject[]): Keyed[] {
  const keyed = objects.map((object) => ({ key: keyOf(object), object }));
  return keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

export function sortByKey(objects: readonly KubeObject[]): KubeObject[] {
  return sortedKeyed(objects).map(({ object }) => object);
}

function encodeContinue(key: string): string {
  return Buffer.from(JSON.stringify({ v: 1, after: key }), "utf8").toString("base64url");
}

function decodeContinue(token: string): string {
  try {
    const decoded = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { v?: unknown; after?: unknown };
    if (decoded.v === 1 && typeof decoded.after === "string") return decoded.after;
  } catch {
    // fall through to the error below
  }
  throw errors.badRequest("continue key is not valid: the token was not issued by this server");
}

/** The index of the first key after `after`. */
function firstAfter(keyed: readonly Keyed[], after: string): number {
  let low = 0;
  let high = keyed.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((keyed[middle] as Keyed).key > after) high = middle;
    else low = middle + 1;
  }
  return low;
}

/** Pages of `limit` items in key order; each page's token resumes after its last key. */
export function paginate(objects: readonly KubeObject[], limit: number | undefined, token: string | null): Page {
  const keyed = sortedKeyed(objects);
  const start = token ? firstAfter(keyed, decodeContinue(token)) : 0;
  const end = !limit || limit <= 0 ? keyed.length : Math.min(keyed.length, start + limit);
  const items = keyed.slice(start, end).map(({ object }) => object);
  const last = keyed[end - 1];
  return end < keyed.length && last
    ? { items, continueToken: encodeContinue(last.key), remaining: keyed.length - end }
    : { items, continueToken: undefined, remaining: 0 };
}
