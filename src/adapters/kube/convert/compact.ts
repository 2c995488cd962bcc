/**
 * Builds objects whose optional fields are absent rather than `undefined`, as the snapshot schema's
 * output has them (and as `exactOptionalPropertyTypes` demands).
 */

type KeysAllowingUndefined<T> = { [K in keyof T]-?: undefined extends T[K] ? K : never }[keyof T];

/** `T` with every property that may be undefined made optional instead. */
export type Compact<T> = { [K in Exclude<keyof T, KeysAllowingUndefined<T>>]: T[K] } & {
  [K in KeysAllowingUndefined<T>]?: Exclude<T[K], undefined>;
};

/** Drops the properties whose value is undefined. */
export function compact<T extends object>(object: T): Compact<T> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(object)) {
    if (value !== undefined) result[key] = value;
  }
  // Exactly the properties Compact<T> describes: the defined ones.
  return result as Compact<T>;
}

export function isDefined<T>(value: T | undefined): value is T {
  return value !== undefined;
}
