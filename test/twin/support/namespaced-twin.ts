/** The smallest twin most store and runtime tests need: a clock at a fixed instant and one namespace. */
import { Twin } from "../../../src/twin/twin.ts";

export const NAMESPACED_TWIN_START = Date.parse("2026-11-22T08:00:00Z");

/** A twin started at 2026-11-22T08:00:00Z holding the namespace `vms`. */
export function twinWithNamespace(seed = 1): Twin {
  const twin = Twin.create({ seed, start: NAMESPACED_TWIN_START });
  twin.runtime.store.create(twin.runtime.resources.namespaces, { metadata: { name: "vms" } });
  return twin;
}
