/**
 * The failover core's vocabulary (vSphere HA on KubeVirt): how healthy each node looks and why,
 * what fencing has done and may do next, and the order VMs restart in. Every decision carries its
 * reasons as data, for Events, `kubedrs incidents` and the log.
 */

export type NodeHealthState = "healthy" | "suspect" | "failed";

/** One independent piece of evidence about a node. */
export interface HealthSignal {
  readonly name: "lease" | "ready" | "power";
  /** True when this signal says the node is in trouble. */
  readonly bad: boolean;
  /** Milliseconds since the epoch when it turned bad, when known. */
  readonly since: number | undefined;
  /**
   * Bad for at least the policy's timeout for this signal (a Lease is only bad once it is overdue, so for it
   * this equals `bad`; Ready is bad as soon as it is not True, overdue after notReadyTimeout; a BMC's Off is
   * overdue at once). A node fails only when the Lease and one other signal are overdue.
   */
  readonly overdue: boolean;
  readonly detail: string;
}

export interface NodeHealth {
  readonly node: string;
  readonly state: NodeHealthState;
  readonly signals: readonly HealthSignal[];
  /** In words: "Lease not renewed for 34s (timeout 20s); Ready=Unknown for 12s (timeout 10s)". */
  readonly reason: string;
}

/** Why nothing is fenced this round, when the storm guard holds. */
export interface StormVerdict {
  readonly hold: boolean;
  readonly reason: string;
}

/** What fencing has observed for one node, as the shell reads it from the cluster. */
export interface FenceObservation {
  /** Index into the policy's strategies of the step in progress, and when it began (ms since the epoch). */
  readonly step: number;
  readonly startedAt: number;
  /** The step's own positive confirmation: FAR Succeeded=True, SNR safe time elapsed after it took the node, the External annotation. */
  readonly confirmed: boolean;
  /** The step said it failed (FAR Succeeded=False), so it escalates without waiting for its timeout. */
  readonly failed: boolean;
}

export type FenceAction =
  | { readonly kind: "start"; readonly step: number; readonly reason: string }
  | { readonly kind: "wait"; readonly step: number; readonly until: number; readonly reason: string }
  | { readonly kind: "confirmed"; readonly step: number; readonly reason: string }
  | { readonly kind: "exhausted"; readonly reason: string };

/** One VM's place in the restart order after its host was fenced. */
export interface RestartDecision {
  readonly vm: string;
  readonly priorityClass: string;
  readonly priority: number;
  /** "restart" now; "wait" for classes it starts after or for capacity; "leave" for Manual/Halted run strategies. */
  readonly action: "restart" | "wait" | "leave";
  /** A node the placement core says can run it (KubeVirt's scheduler decides; this is the capacity check). */
  readonly fits: string | undefined;
  readonly reason: string;
}
