/**
 * Identical parts of cached objects kept once. VMs stamped from one template carry the same domain
 * (CPU, memory, devices), networks and node selector, and their launcher pods the same containers;
 * at 30,000 VMIs each copy costs the heap again (`npm run bench -- controller` prices the cache).
 * `share` hands back the copy already held when one is, so a thousand VMs of one template point at
 * one domain.
 *
 * A shared part is frozen: cached objects are read, never written, and freezing makes a write to a
 * part many objects hold fail loudly instead of changing them all. The table holds its parts
 * weakly, so a template nobody runs any more is forgotten with its last VM.
 *
 * Only parts that templates make alike should be offered: a part unique to one object (a volume's
 * claim name, a condition's timestamp) would cost a table entry and save nothing.
 */
export class SharedSubtrees {
  readonly #byJson = new Map<string, WeakRef<object>>();
  readonly #forget = new FinalizationRegistry<string>((json) => {
    if (this.#byJson.get(json)?.deref() === undefined) this.#byJson.delete(json);
  });

  /** The held part equal to `value` (same JSON), else `value` itself, frozen and held from now on. */
  share<T>(value: T): T {
    if (typeof value !== "object" || value === null) return value;
    const json = JSON.stringify(value);
    const held = this.#byJson.get(json)?.deref();
    if (held !== undefined) return held as T;
    deepFreeze(value);
    this.#byJson.set(json, new WeakRef(value));
    this.#forget.register(value, json);
    return value;
  }

  /** How many distinct parts are held. */
  get size(): number {
    return this.#byJson.size;
  }
}

function deepFreeze(value: object): void {
  for (const child of Object.values(value) as unknown[])
    if (typeof child === "object" && child !== null) deepFreeze(child);
  Object.freeze(value);
}
