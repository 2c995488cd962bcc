/**
 * Status conditions as KubeVirt's condition managers keep them (pkg/controller/conditions.go):
 * one per type; an update that changes nothing keeps the old timestamps, so writing the same
 * condition twice is not a change (and a controller that re-syncs does not loop).
 */
import type { KubeObject } from "../api/types.ts";
import { type Json, listAt, textAt } from "./fields.ts";
import { jsonEqual } from "../api/json-equal.ts";

export type ConditionStatus = "True" | "False" | "Unknown";

export interface Condition {
  readonly type: string;
  readonly status: ConditionStatus;
  readonly reason?: string;
  readonly message?: string;
}

export function conditionOf(object: KubeObject | undefined, type: string): Json | undefined {
  return listAt(object, "status", "conditions").find(
    (condition): condition is Json => textAt(condition, "type") === type,
  );
}

export function conditionStatus(object: KubeObject | undefined, type: string): string | undefined {
  return textAt(conditionOf(object, type), "status");
}

export function hasCondition(object: KubeObject | undefined, type: string, status: ConditionStatus): boolean {
  return conditionStatus(object, type) === status;
}

/** True when the condition has this status and reason. */
export function hasConditionReason(
  object: KubeObject | undefined,
  condition: { readonly type: string; readonly status: ConditionStatus; readonly reason: string },
): boolean {
  const found = conditionOf(object, condition.type);
  return textAt(found, "status") === condition.status && textAt(found, "reason") === condition.reason;
}

function sameCondition(existing: Json, wanted: Condition): boolean {
  return (
    textAt(existing, "status") === wanted.status &&
    (textAt(existing, "reason") ?? "") === (wanted.reason ?? "") &&
    (textAt(existing, "message") ?? "") === (wanted.message ?? "")
  );
}

/** Sets a condition on a status draft; `now` stamps it only when it changed. */
export function setCondition(status: Json, wanted: Condition, now: string): void {
  const conditions = listAt(status, "conditions").filter((item): item is Json => typeof item === "object");
  const index = conditions.findIndex((item) => textAt(item, "type") === wanted.type);
  const existing = conditions[index];
  if (existing && sameCondition(existing, wanted)) return;
  const stamped: Json = { ...wanted, lastProbeTime: null, lastTransitionTime: now };
  if (wanted.reason === undefined) delete stamped.reason;
  if (wanted.message === undefined) delete stamped.message;
  if (index >= 0) conditions[index] = stamped;
  else conditions.push(stamped);
  status.conditions = conditions;
}

/** Copies a condition as it is (the pod's PodScheduled onto the VMI, the VMI's onto the VM). */
export function copyCondition(status: Json, condition: Json): void {
  const type = textAt(condition, "type");
  if (type === undefined) return;
  const conditions = listAt(status, "conditions").filter((item): item is Json => typeof item === "object");
  const index = conditions.findIndex((item) => textAt(item, "type") === type);
  const existing = conditions[index];
  if (existing && jsonEqual(existing, condition)) return;
  if (index >= 0) conditions[index] = { ...condition };
  else conditions.push({ ...condition });
  status.conditions = conditions;
}

export function removeCondition(status: Json, type: string): void {
  const conditions = listAt(status, "conditions");
  if (!conditions.some((item) => textAt(item, "type") === type)) return;
  status.conditions = conditions.filter((item) => textAt(item, "type") !== type);
}
