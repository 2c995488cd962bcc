/**
 * self-node-remediation's minimum safe time to assume a node rebooted
 * (internal/reboot/calculator.go): the time an isolated node needs to notice it lost the API
 * server, to hear (or not hear) from its peers, and for its watchdog to fire, plus a buffer. A
 * configured safeTimeToAssumeNodeRebootedSeconds below it is ignored.
 *
 *   (apiCheckInterval + apiServerTimeout) × maxApiErrorThreshold
 *   + max(30 s, batches × (peerDialTimeout + peerRequestTimeout))
 *   + watchdog timeout + 30 s
 *
 * With the defaults, a 60 s watchdog and up to three workers: 180 s.
 */
import type { SelfNodeRemediationSettings } from "../options.ts";

/** MaxTimeForNoPeersResponse. */
const MAX_TIME_FOR_NO_PEERS_RESPONSE_SECONDS = 30;
const REBOOT_BUFFER_SECONDS = 30;
const MIN_NODES_IN_BATCH = 3;
const MAX_BATCHES_AFTER_FIRST = 10;

/** GetNrOfBatches: three peers first, then a tenth of the rest (at least three) per batch. */
export function peerBatches(workers: number): number {
  let remaining = workers;
  let batches = 0;
  while (remaining > 0) {
    const first = remaining === workers;
    const size = first
      ? MIN_NODES_IN_BATCH
      : Math.max(MIN_NODES_IN_BATCH, Math.floor((workers - MIN_NODES_IN_BATCH) / MAX_BATCHES_AFTER_FIRST));
    remaining -= Math.min(size, remaining);
    batches += 1;
  }
  return batches;
}

/** Seconds an isolated node's agent takes to decide it must reboot: API loss, then the peers. */
export function isolationDecisionSeconds(settings: SelfNodeRemediationSettings, workers: number): number {
  const apiCheck =
    (settings.apiCheckIntervalSeconds + settings.apiServerTimeoutSeconds) * settings.maxApiErrorThreshold;
  const peers = Math.max(
    MAX_TIME_FOR_NO_PEERS_RESPONSE_SECONDS,
    peerBatches(workers) * (settings.peerDialTimeoutSeconds + settings.peerRequestTimeoutSeconds),
  );
  return apiCheck + peers;
}

export function safeTimeToAssumeRebootedSeconds(
  settings: SelfNodeRemediationSettings,
  workers: number,
  watchdogTimeoutSeconds: number,
): number {
  const minimum = isolationDecisionSeconds(settings, workers) + watchdogTimeoutSeconds + REBOOT_BUFFER_SECONDS;
  const configured = settings.safeTimeToAssumeNodeRebootedSeconds;
  return configured !== undefined && configured > minimum ? configured : minimum;
}
