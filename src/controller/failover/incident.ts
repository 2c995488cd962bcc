/**
 * A host failure's incident, kept on its node as the JSON annotation kubedrs.io/incident: the
 * timeline `kubedrs incidents` prints and a restarted kubedrs resumes from (the fencing step in
 * progress and when it began). The cluster holds the state; the controller keeps none that matters.
 */

import { KUBEDRS } from "../../core/model/kubedrs-labels.ts";
import { readJsonAnnotation } from "../json-annotation.ts";

export const INCIDENT_ANNOTATION = KUBEDRS.incident;

export type IncidentPhase = "Fencing" | "Fenced" | "Recovered" | "FencingFailed";

export interface IncidentEvent {
  /** RFC 3339 */
  readonly at: string;
  readonly what: string;
}

export interface Incident {
  readonly node: string;
  readonly phase: IncidentPhase;
  /** Why the node was declared failed (the health signals). */
  readonly reason: string;
  readonly failedAt: string;
  /** The fencing step in progress (index into the policy's strategies) and when it began. */
  readonly fenceStep: number;
  readonly fenceStartedAt: string;
  readonly fencedAt?: string;
  /** The VMs on the node when it failed, and those Running again elsewhere, with where and when. */
  readonly vms: readonly string[];
  readonly restarted: readonly { readonly vm: string; readonly node: string; readonly at: string }[];
  /** Each VM's restart priority class, and the VMs held back (Halted) until their turn. */
  readonly classes?: Readonly<Record<string, string>>;
  readonly held?: readonly { readonly vm: string; readonly priorityClass: string; readonly priority: number }[];
  readonly timeline: readonly IncidentEvent[];
}

function isIncident(value: unknown): value is Incident {
  if (typeof value !== "object" || value === null) return false;
  const incident = value as Partial<Incident>;
  return typeof incident.phase === "string" && Array.isArray(incident.vms) && Array.isArray(incident.timeline);
}

/** The node's incident; a mangled annotation reads as none (kubedrs only ever writes whole ones). */
export function readIncident(annotations: Readonly<Record<string, string>>): Incident | undefined {
  return readJsonAnnotation(annotations, INCIDENT_ANNOTATION, { name: "an incident", is: isIncident }).value;
}

/**
 * A recovered incident whose host has renewed its Lease since it was fenced: the host came back, so
 * the incident is a record, and a new failure is a new incident. One whose host never came back is
 * still that failure.
 */
export function cameBackSince(incident: Incident, leaseRenewedAt: number | undefined): boolean {
  if (incident.phase !== "Recovered" || leaseRenewedAt === undefined) return false;
  return leaseRenewedAt > Date.parse(incident.fencedAt ?? incident.failedAt);
}

export function withEvent(incident: Incident, at: number, what: string): Incident {
  return { ...incident, timeline: [...incident.timeline, { at: new Date(at).toISOString(), what }] };
}
