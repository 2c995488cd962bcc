/** The one-sentence reasons a prediction carries into `kubedrs explain`, Events and logs. */
import { MAX_SIMULATED_ROUNDS } from "./constants.ts";
import type { MigrationParams } from "./types.ts";
import { formatBytes } from "../model/quantity.ts";

/** What the sentences draw on. */
export interface OutcomeFacts {
  readonly params: MigrationParams;
  readonly rounds: number;
  readonly maxThrottle: number;
  readonly downtimeMs: number;
  readonly completionTimeoutSeconds: number | undefined;
}

export function convergedReason(facts: OutcomeFacts): string {
  const rounds = `${facts.rounds} ${facts.rounds === 1 ? "round" : "rounds"}`;
  const throttled =
    facts.maxThrottle > 0 ? ` once auto-converge throttles the guest to ${percent(facts.maxThrottle)}` : "";
  return `pre-copy converges in ${rounds}${throttled}; downtime ${milliseconds(facts.downtimeMs)}`;
}

export function postCopyReason(facts: OutcomeFacts): string {
  return (
    `${whyPreCopyFailed(facts)}; after the ${completionTimeout(facts)} completion timeout KubeVirt switches ` +
    `to post-copy and the VM resumes on the target`
  );
}

export function pausedReason(facts: OutcomeFacts): string {
  return (
    `${whyPreCopyFailed(facts)}; after the ${completionTimeout(facts)} completion timeout KubeVirt pauses ` +
    `the VM to finish the copy (downtime ${milliseconds(facts.downtimeMs)})`
  );
}

export function pausedTooLongReason(facts: OutcomeFacts, pausedDeadlineSeconds: number): string {
  return (
    `${whyPreCopyFailed(facts)}; KubeVirt paused the VM after the ${completionTimeout(facts)} completion ` +
    `timeout, but the copy did not finish by ${seconds(pausedDeadlineSeconds)}, so it aborted`
  );
}

export function completionTimeoutReason(facts: OutcomeFacts): string {
  return `${whyPreCopyFailed(facts)}; aborted after the ${completionTimeout(facts)} completion timeout`;
}

export function roundCapReason(facts: OutcomeFacts): string {
  const why = `pre-copy did not converge within ${MAX_SIMULATED_ROUNDS} rounds, the model's cap`;
  return facts.completionTimeoutSeconds === undefined
    ? `${why}; with the completion timeout disabled KubeVirt would let it run on`
    : why;
}

export function noBandwidthReason(params: MigrationParams): string {
  const why = "migration bandwidth is 0 B/s, so no data moves";
  return params.progressTimeoutSeconds > 0
    ? `${why}; aborted after the ${seconds(params.progressTimeoutSeconds)} progress timeout`
    : `${why}; the progress timeout is disabled, so KubeVirt would wait forever (reported as aborted at once)`;
}

function whyPreCopyFailed(facts: OutcomeFacts): string {
  const { dirtyRateBytesPerSecond: dirtyRate, bandwidthBytesPerSecond: bandwidth, maxDowntimeMs } = facts.params;
  const why =
    dirtyRate >= bandwidth
      ? `dirty rate ${rate(dirtyRate)} ${dirtyRate > bandwidth ? "exceeds" : "equals"} bandwidth ${rate(bandwidth)}`
      : `pre-copy does not get the dirty memory under the ${milliseconds(maxDowntimeMs)} downtime limit in time`;
  return facts.maxThrottle > 0 ? `${why} (auto-converge reached ${percent(facts.maxThrottle)})` : why;
}

function completionTimeout(facts: OutcomeFacts): string {
  return seconds(facts.completionTimeoutSeconds ?? 0);
}

function rate(bytesPerSecond: number): string {
  return `${formatBytes(bytesPerSecond)}B/s`;
}

function seconds(value: number): string {
  return `${Math.round(value * 10) / 10} s`;
}

function milliseconds(value: number): string {
  return `${Math.round(value)} ms`;
}

function percent(fraction: number): string {
  return `${Math.round(fraction * 100)}%`;
}
