/**
 * An evacuation's progress, kept on its node as the JSON annotation kubedrs.io/evacuation: what
 * `kubedrs evacuate --wait` and `kubectl get node -o yaml` show, and what a restarted kubedrs
 * resumes from. The cluster holds the state; the controller keeps none that matters.
 */
import { KUBEDRS } from "../../core/model/kubedrs-labels.ts";
import { readJsonAnnotation } from "../json-annotation.ts";

export type EvacuationPhase = "Evacuating" | "Ready" | "Blocked" | "Refused" | "MovingBack";

export interface EvacuationStatus {
  readonly phase: EvacuationPhase;
  /** Why the node is evacuated: the trigger, in words. */
  readonly reason: string;
  /** RFC 3339 */
  readonly startedAt: string;
  readonly updatedAt: string;
  /** The VMs planned to leave when the evacuation started, for the count and the move back. */
  readonly vms: readonly string[];
  /** Planned to leave and still on the node (migrating or waiting). */
  readonly remaining: number;
  readonly inFlight: number;
  readonly blocked: readonly { readonly vm: string; readonly action: string; readonly reason: string }[];
  readonly etaSeconds: number;
  readonly lowerBoundSeconds: number;
  /** kubedrs cordoned the node, so it uncordons it when maintenance ends. */
  readonly cordonedByKubedrs: boolean;
  /** VMs kubedrs shut down to restart elsewhere (each once). */
  readonly restarted: readonly string[];
}

function isStatus(value: unknown): value is EvacuationStatus {
  if (typeof value !== "object" || value === null) return false;
  const status = value as Partial<EvacuationStatus>;
  return typeof status.phase === "string" && Array.isArray(status.vms) && Array.isArray(status.blocked);
}

/** The node's evacuation status, undefined when it has none; a mangled one is an error naming the annotation. */
export function readEvacuationStatus(annotations: Readonly<Record<string, string>>): {
  status?: EvacuationStatus;
  error?: string;
} {
  const { value, error } = readJsonAnnotation(annotations, KUBEDRS.evacuation, {
    name: "an evacuation status",
    is: isStatus,
  });
  if (error !== undefined) return { error };
  return value === undefined ? {} : { status: { ...value, restarted: value.restarted ?? [] } };
}

export function writeEvacuationStatus(status: EvacuationStatus | undefined): Record<string, string | null> {
  return { [KUBEDRS.evacuation]: status === undefined ? null : JSON.stringify(status) };
}
