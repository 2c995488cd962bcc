/**
 * Setting status conditions the way Kubernetes helpers do (meta.SetStatusCondition,
 * podutil.UpdatePodCondition): lastTransitionTime moves only when the status changes; reason,
 * message and the extra fields follow the latest write.
 */
import { type KubeObject, isRecord } from "../../api/types.ts";
import { asList } from "./objects.ts";
import { jsonEqual } from "../../api/json-equal.ts";

export interface ConditionChange {
  readonly type: string;
  readonly status: "True" | "False" | "Unknown";
  readonly reason?: string | undefined;
  readonly message?: string | undefined;
  /** Fields that change on every write: lastHeartbeatTime, lastProbeTime, observedGeneration. */
  readonly extra?: Readonly<Record<string, unknown>>;
}

/** Sets one condition on a draft object; returns whether the draft changed. */
export function setCondition(draft: KubeObject, change: ConditionChange, now: string): boolean {
  draft.status ??= {};
  const conditions = asList(draft.status.conditions).filter(isRecord);
  const index = conditions.findIndex((condition) => condition.type === change.type);
  const existing = index >= 0 ? conditions[index] : undefined;
  const next: Record<string, unknown> = { ...existing, ...change.extra, type: change.type, status: change.status };
  if (existing?.status !== change.status || existing.lastTransitionTime === undefined) next.lastTransitionTime = now;
  assignOrDelete(next, "reason", change.reason);
  assignOrDelete(next, "message", change.message);
  if (existing && jsonEqual(existing, next)) return false;
  if (index >= 0) conditions[index] = next;
  else conditions.push(next);
  draft.status.conditions = conditions;
  return true;
}

/** Sets several conditions; true when any changed. */
export function setConditions(draft: KubeObject, changes: readonly ConditionChange[], now: string): boolean {
  let changed = false;
  for (const change of changes) changed = setCondition(draft, change, now) || changed;
  return changed;
}

function assignOrDelete(target: Record<string, unknown>, key: string, value: string | undefined): void {
  if (value === undefined) delete target[key];
  else target[key] = value;
}
