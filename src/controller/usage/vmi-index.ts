/** VMI keys ("namespace/name") by UID: a launcher pod names its VMI by UID (kubevirt.io/created-by). */
import type { JsonObject } from "../../adapters/kube/convert/meta.ts";

export function vmiKeysByUid(vmis: readonly JsonObject[]): Map<string, string> {
  const index = new Map<string, string>();
  for (const vmi of vmis) {
    const { uid, namespace, name } = (vmi.metadata ?? {}) as { uid?: string; namespace?: string; name?: string };
    if (uid !== undefined) index.set(uid, `${namespace ?? ""}/${name ?? ""}`);
  }
  return index;
}
