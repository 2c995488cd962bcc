/**
 * Adding and removing node taints on a draft node. Two taints are the same taint when key and
 * effect match (corev1.Taint.MatchTaint), whatever their value.
 */
import type { TaintEffect } from "../../../core/model/selectors.ts";
import { type KubeObject, isRecord } from "../../api/types.ts";
import { asList } from "./objects.ts";

export interface TaintSpec {
  readonly key: string;
  readonly effect: TaintEffect;
  readonly value?: string | undefined;
}

export const TAINT = {
  notReady: "node.kubernetes.io/not-ready",
  unreachable: "node.kubernetes.io/unreachable",
  unschedulable: "node.kubernetes.io/unschedulable",
  outOfService: "node.kubernetes.io/out-of-service",
  memoryPressure: "node.kubernetes.io/memory-pressure",
  diskPressure: "node.kubernetes.io/disk-pressure",
  pidPressure: "node.kubernetes.io/pid-pressure",
  networkUnavailable: "node.kubernetes.io/network-unavailable",
} as const;

function matches(raw: unknown, key: string, effect: TaintEffect): boolean {
  return isRecord(raw) && raw.key === key && raw.effect === effect;
}

export function hasTaint(node: KubeObject, key: string, effect: TaintEffect): boolean {
  return asList(node.spec?.taints).some((raw) => matches(raw, key, effect));
}

/** Adds the taint unless one with the same key and effect is there; NoExecute taints carry timeAdded. */
export function addTaint(draft: KubeObject, taint: TaintSpec, now: string): boolean {
  if (hasTaint(draft, taint.key, taint.effect)) return false;
  draft.spec ??= {};
  const added: Record<string, unknown> = { key: taint.key, effect: taint.effect };
  if (taint.value !== undefined) added.value = taint.value;
  if (taint.effect === "NoExecute") added.timeAdded = now;
  draft.spec.taints = [...asList(draft.spec.taints), added];
  return true;
}

export function removeTaint(draft: KubeObject, key: string, effect: TaintEffect): boolean {
  const taints = asList(draft.spec?.taints);
  const kept = taints.filter((raw) => !matches(raw, key, effect));
  if (kept.length === taints.length || !draft.spec) return false;
  if (kept.length === 0) delete draft.spec.taints;
  else draft.spec.taints = kept;
  return true;
}
