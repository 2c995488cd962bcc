/** Telling store events apart the way controllers filter their watches. */
import type { StoreEvent } from "../../store/store.ts";
import { jsonEqual } from "../../api/json-equal.ts";

/**
 * A MODIFIED event that changed only the status: a controller's own status write. Operators
 * that react to it would loop, since the twin's store, unlike the API server, stores no-op
 * writes as new versions.
 */
export function statusOnlyChange(event: StoreEvent): boolean {
  if (event.type !== "MODIFIED" || !event.old) return false;
  const { status: _status, metadata, ...rest } = event.object;
  const { status: _oldStatus, metadata: oldMetadata, ...oldRest } = event.old;
  const { resourceVersion: _rv, ...meta } = metadata;
  const { resourceVersion: _oldRv, ...oldMeta } = oldMetadata;
  return jsonEqual(rest, oldRest) && jsonEqual(meta, oldMeta);
}
