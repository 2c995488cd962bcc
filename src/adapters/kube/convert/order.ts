/** Deterministic orderings: plain code-unit comparison, never the locale's. */

export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function byName<T extends { readonly name: string }>(a: T, b: T): number {
  return compareText(a.name, b.name);
}

/** Namespace first, then name: the order the core indexes VMs in. */
export function byNamespacedName<T extends { readonly namespace: string; readonly name: string }>(a: T, b: T): number {
  return compareText(a.namespace, b.namespace) || compareText(a.name, b.name);
}
