/**
 * nextFenceAction: the fencing escalation for one failed node, as a pure state machine. The shell
 * reads what the step in progress has observed (FenceAgentsRemediation Succeeded, SNR's safe time,
 * the External annotation) and does what this returns: start a step, wait, or release the node's
 * VMs once fencing is confirmed. Nothing here confirms a step on time alone: a timeout escalates,
 * it never fences; when every step is spent the node stays down and the VMs are not restarted.
 */
import { formatDuration } from "../model/quantity.ts";
import type { FailoverPolicySpec, FenceStep } from "../policy/kinds/failover-policy.ts";
import type { FenceAction, FenceObservation } from "./types.ts";

export type FencingSpec = FailoverPolicySpec["fencing"];

const MS = 1000;

/** "FenceAgents (template ipmi)", "SelfNodeRemediation (safe time 3m)", "External (annotation kubedrs.io/fenced)". */
export function describeStep(step: FenceStep): string {
  switch (step.type) {
    case "FenceAgents":
      return `FenceAgents (template ${step.template})`;
    case "SelfNodeRemediation":
      return `SelfNodeRemediation (template ${step.template}, safe time ${formatDuration(step.safeTime)})`;
    case "External":
      return `External (annotation ${step.annotation})`;
    case "None":
      return "None";
  }
}

/** Seconds a step may take before it escalates; None has no timeout (it never waits). */
function timeoutOf(step: FenceStep): number {
  return step.type === "None" ? 0 : step.timeout;
}

/** What a step's positive confirmation was, for the incident timeline. */
function confirmation(step: FenceStep): string {
  switch (step.type) {
    case "FenceAgents":
      return `FenceAgentsRemediation Succeeded (template ${step.template})`;
    case "SelfNodeRemediation":
      return `SelfNodeRemediation safe time ${formatDuration(step.safeTime)} elapsed after the node was taken`;
    case "External":
      return `annotation ${step.annotation} set by an external system`;
    case "None":
      return "no fencing";
  }
}

const UNSAFE_NONE =
  "fencing strategy None: UNSAFE, acknowledged by fencing.acknowledgeUnsafeNoFencing; " +
  "the node is NOT known to be off, and two copies of a VM may write one disk";

/**
 * Begins step `index`, or says fencing is exhausted. `why` explains how we got here ("" for the
 * first step). None confirms at once when acknowledged; without the acknowledgement (which the
 * schema requires) it is skipped rather than trusted.
 */
function begin(spec: FencingSpec, index: number, why: string): FenceAction {
  const step = spec.strategies[index];
  const prefix = why === "" ? "" : `${why}; `;
  if (!step) {
    return {
      kind: "exhausted",
      reason: `fencing could not be confirmed: ${why === "" ? "no fencing strategy is configured" : why}, and no strategy is left; VMs are NOT restarted`,
    };
  }
  if (step.type === "None") {
    if (spec.acknowledgeUnsafeNoFencing) return { kind: "confirmed", step: index, reason: `${prefix}${UNSAFE_NONE}` };
    return begin(spec, index + 1, `${prefix}strategy None skipped: fencing.acknowledgeUnsafeNoFencing is not set`);
  }
  const verb = why === "" ? "start fencing with" : "escalating to";
  return {
    kind: "start",
    step: index,
    reason: `${prefix}${verb} ${describeStep(step)}, timeout ${formatDuration(timeoutOf(step))}`,
  };
}

/** When SNR's confirmation may be trusted: its safe time after the step began (a confirmation before that is not). */
function trustedFrom(step: FenceStep, observation: FenceObservation): number {
  return step.type === "SelfNodeRemediation" ? observation.startedAt + step.safeTime * MS : observation.startedAt;
}

/** The next thing to do about fencing one failed node. `now` and `startedAt` are ms since the epoch. */
export function nextFenceAction(
  spec: FencingSpec,
  observation: FenceObservation | undefined,
  now: number,
): FenceAction {
  if (!observation) return begin(spec, 0, "");
  const index = observation.step;
  const step = spec.strategies[index];
  if (!step) {
    return {
      kind: "exhausted",
      reason: `fencing could not be confirmed: step ${index} is not among the policy's ${spec.strategies.length} strategies; VMs are NOT restarted`,
    };
  }
  if (step.type === "None") return begin(spec, index, "");
  const trustedAt = trustedFrom(step, observation);
  if (observation.confirmed && now >= trustedAt) return { kind: "confirmed", step: index, reason: confirmation(step) };
  const name = describeStep(step);
  const timeout = formatDuration(timeoutOf(step));
  if (observation.failed) return begin(spec, index + 1, `${name} failed`);
  const deadline = observation.startedAt + timeoutOf(step) * MS;
  if (now >= deadline) return begin(spec, index + 1, `${name} not confirmed within its ${timeout} timeout`);
  if (observation.confirmed) {
    return {
      kind: "wait",
      step: index,
      until: Math.min(trustedAt, deadline),
      reason: `${name} reported the node fenced before its safe time had passed since the step began; not trusted until then`,
    };
  }
  return {
    kind: "wait",
    step: index,
    until: deadline,
    reason: `waiting for ${name} to confirm the node is fenced (${formatDuration((deadline - now) / MS)} left of its ${timeout} timeout)`,
  };
}

/** True only when fencing is confirmed: the one condition under which the node's VMs may restart elsewhere. */
export function isFenced(action: FenceAction | undefined): boolean {
  return action?.kind === "confirmed";
}
