/**
 * predictMigration: a deterministic simulation of a QEMU pre-copy live migration as KubeVirt drives it.
 *
 * Memory is a fluid of bytes. The dirty bitmap starts full (QEMU's setup sync); a pass sends what the
 * bitmap holds at the bandwidth; the guest dirties memory at its dirty rate times (1 − throttle), and a
 * sync moves those bytes into the bitmap, capped at the memory size (a page is dirty or not). A round is
 * the stretch between two syncs. QEMU syncs when a pass is done (migration.c migration_iteration_run,
 * ram.c ram_state_pending_exact) and, with auto-converge, when its 5 s timer finds no sync since the last
 * tick (cpu-throttle.c cpu_throttle_dirty_sync_timer_tick; skipped during the first pass).
 *
 * Switch-over: after a sync, QEMU completes when the dirty bytes are 0 or fewer than threshold_size =
 * bandwidth × downtime-limit (migration_iteration_run: `!pending_size || pending_size < threshold_size`).
 * The guest then stops while the rest is sent: downtime = rest / bandwidth + SWITCHOVER_RESUME_OVERHEAD_MS.
 *
 * Simplifications: QEMU syncs slightly before a pass ends (once the unsent part is ≤ threshold_size), and
 * measures the bandwidth it uses for threshold_size; we end the pass first and use the given bandwidth.
 * Post-copy sends every remaining page once at the bandwidth, ignoring the guest's page faults meanwhile.
 * Once switch-over starts it completes: KubeVirt does not act during the brief stop-and-copy.
 */
import { NOT_THROTTLED, type ThrottleState, throttleAfterPeriod, throttleFraction } from "./auto-converge.ts";
import {
  KUBEVIRT_PAUSED_DEADLINE_FACTOR,
  MAX_SIMULATED_ROUNDS,
  QEMU_AUTO_CONVERGE_SYNC_TIMER_SECONDS,
  QEMU_MIN_SYNC_PERIOD_SECONDS,
  SWITCHOVER_RESUME_OVERHEAD_MS,
} from "./constants.ts";
import { completionTimeoutAction, completionTimeoutSeconds } from "./kubevirt-monitor.ts";
import {
  completionTimeoutReason,
  convergedReason,
  noBandwidthReason,
  type OutcomeFacts,
  pausedReason,
  pausedTooLongReason,
  postCopyReason,
  roundCapReason,
} from "./reasons.ts";
import type {
  MigrationOutcome,
  MigrationParams,
  MigrationPhase,
  MigrationPrediction,
  MigrationRound,
} from "./types.ts";

const RESUME_OVERHEAD_SECONDS = SWITCHOVER_RESUME_OVERHEAD_MS / 1000;

const NUMERIC_PARAMS = [
  "memoryBytes",
  "dirtyRateBytesPerSecond",
  "bandwidthBytesPerSecond",
  "maxDowntimeMs",
  "completionTimeoutPerGiB",
  "progressTimeoutSeconds",
] as const;

/** The mutable state of one run; it never leaves this module. */
interface Simulation {
  readonly params: MigrationParams;
  readonly thresholdBytes: number;
  readonly completionTimeoutSeconds: number | undefined;
  readonly timeline: MigrationRound[];
  time: number;
  /** Dirty bytes in the bitmap that the current pass has not sent yet. */
  pendingBytes: number;
  /** Bytes the guest wrote since the last sync, not yet in the bitmap. */
  dirtiedSinceSync: number;
  syncCount: number;
  throttle: ThrottleState;
  maxThrottle: number;
  period: { startSeconds: number; dirtiedBytes: number; sentBytes: number };
  round: { startSeconds: number; bytes: number };
  preCopyRounds: number;
  nextTimerTick: number | undefined;
  syncCountAtLastTick: number;
  bytesTransferred: number;
}

type SimulationEvent = { readonly kind: "pass-end" | "timer-tick" | "completion-timeout"; readonly at: number };

interface Ending {
  readonly outcome: MigrationOutcome;
  readonly downtimeMs: number;
  readonly reason: (facts: OutcomeFacts) => string;
}

export function predictMigration(params: MigrationParams): MigrationPrediction {
  assertValidParams(params);
  if (params.bandwidthBytesPerSecond === 0) return noBandwidthPrediction(params);
  const sim = startSimulation(params);
  while (sim.preCopyRounds < MAX_SIMULATED_ROUNDS) {
    const ending = step(sim);
    if (ending) return prediction(sim, ending);
  }
  return prediction(sim, { outcome: "aborted", downtimeMs: 0, reason: roundCapReason });
}

function assertValidParams(params: MigrationParams): void {
  for (const field of NUMERIC_PARAMS) {
    const value = params[field];
    if (!Number.isFinite(value) || value < 0) {
      throw new RangeError(`MigrationParams.${field} must be a finite number ≥ 0, got ${value}`);
    }
  }
}

function startSimulation(params: MigrationParams): Simulation {
  return {
    params,
    thresholdBytes: (params.bandwidthBytesPerSecond * params.maxDowntimeMs) / 1000,
    completionTimeoutSeconds: completionTimeoutSeconds(params),
    timeline: [],
    time: 0,
    pendingBytes: params.memoryBytes,
    dirtiedSinceSync: 0,
    syncCount: 1,
    throttle: NOT_THROTTLED,
    maxThrottle: 0,
    period: { startSeconds: 0, dirtiedBytes: 0, sentBytes: 0 },
    round: { startSeconds: 0, bytes: 0 },
    preCopyRounds: 0,
    nextTimerTick: params.allowAutoConverge ? QEMU_AUTO_CONVERGE_SYNC_TIMER_SECONDS : undefined,
    syncCountAtLastTick: 0,
    bytesTransferred: 0,
  };
}

/** Runs the simulation to its next event; returns how the migration ended, if it did. */
function step(sim: Simulation): Ending | undefined {
  const event = nextEvent(sim);
  advanceTo(sim, event);
  switch (event.kind) {
    case "pass-end":
      return endRoundWithSync(sim);
    case "timer-tick":
      return onTimerTick(sim);
    case "completion-timeout":
      return onCompletionTimeout(sim);
  }
}

/** The earliest of: the pass ends, the auto-converge timer ticks, KubeVirt's completion timeout. Ties go to the pass. */
function nextEvent(sim: Simulation): SimulationEvent {
  let event: SimulationEvent = {
    kind: "pass-end",
    at: sim.time + sim.pendingBytes / sim.params.bandwidthBytesPerSecond,
  };
  if (sim.nextTimerTick !== undefined && sim.nextTimerTick < event.at) {
    event = { kind: "timer-tick", at: sim.nextTimerTick };
  }
  if (sim.completionTimeoutSeconds !== undefined && sim.completionTimeoutSeconds < event.at) {
    event = { kind: "completion-timeout", at: sim.completionTimeoutSeconds };
  }
  return event;
}

function advanceTo(sim: Simulation, event: SimulationEvent): void {
  const elapsed = event.at - sim.time;
  const sent =
    event.kind === "pass-end"
      ? sim.pendingBytes
      : Math.min(sim.pendingBytes, elapsed * sim.params.bandwidthBytesPerSecond);
  sim.pendingBytes -= sent;
  sim.dirtiedSinceSync += elapsed * sim.params.dirtyRateBytesPerSecond * (1 - throttleFraction(sim.throttle));
  sim.period.sentBytes += sent;
  sim.round.bytes += sent;
  sim.bytesTransferred += sent;
  sim.time = event.at;
}

/** A dirty-bitmap sync closes the round; QEMU then switches over if the rest fits in the downtime limit. */
function endRoundWithSync(sim: Simulation): Ending | undefined {
  const throttleDuringRound = throttleFraction(sim.throttle);
  syncDirtyBitmap(sim);
  closeRound(sim, throttleDuringRound, sim.pendingBytes);
  const fits = sim.pendingBytes === 0 || sim.pendingBytes < sim.thresholdBytes;
  return fits ? stopAndCopy(sim) : undefined;
}

/** ram.c migration_bitmap_sync: only pages not already dirty count, and a period closes after more than 1 s. */
function syncDirtyBitmap(sim: Simulation): void {
  const newlyDirty = Math.min(sim.dirtiedSinceSync, sim.params.memoryBytes - sim.pendingBytes);
  sim.pendingBytes += newlyDirty;
  sim.dirtiedSinceSync = 0;
  sim.syncCount += 1;
  sim.period.dirtiedBytes += newlyDirty;
  if (sim.time - sim.period.startSeconds <= QEMU_MIN_SYNC_PERIOD_SECONDS) return;
  if (sim.params.allowAutoConverge) {
    sim.throttle = throttleAfterPeriod(sim.throttle, sim.period);
    sim.maxThrottle = Math.max(sim.maxThrottle, throttleFraction(sim.throttle));
  }
  sim.period = { startSeconds: sim.time, dirtiedBytes: 0, sentBytes: 0 };
}

function closeRound(sim: Simulation, throttle: number, remainingBytes: number): void {
  sim.timeline.push({
    round: sim.timeline.length,
    phase: "pre-copy",
    startSeconds: sim.round.startSeconds,
    durationSeconds: sim.time - sim.round.startSeconds,
    bytes: sim.round.bytes,
    throttle,
    remainingBytes,
  });
  sim.preCopyRounds += 1;
  sim.round = { startSeconds: sim.time, bytes: 0 };
}

/** cpu-throttle.c cpu_throttle_dirty_sync_timer_tick: force a sync when none happened since the last tick. */
function onTimerTick(sim: Simulation): Ending | undefined {
  const noSyncSinceLastTick = sim.syncCount > 1 && sim.syncCount === sim.syncCountAtLastTick;
  const ending = noSyncSinceLastTick ? endRoundWithSync(sim) : undefined;
  sim.syncCountAtLastTick = sim.syncCount;
  sim.nextTimerTick = sim.time + QEMU_AUTO_CONVERGE_SYNC_TIMER_SECONDS;
  return ending;
}

function onCompletionTimeout(sim: Simulation): Ending {
  // Post-copy and pausing start with a final sync; the guest's recent writes join what is left.
  const remaining = Math.min(sim.params.memoryBytes, sim.pendingBytes + sim.dirtiedSinceSync);
  if (sim.time > sim.round.startSeconds) closeRound(sim, throttleFraction(sim.throttle), remaining);
  switch (completionTimeoutAction(sim.params)) {
    case "post-copy":
      return finishInPostCopy(sim, remaining);
    case "pause":
      return finishPaused(sim, remaining);
    case "abort":
      return { outcome: "aborted", downtimeMs: 0, reason: completionTimeoutReason };
  }
}

function stopAndCopy(sim: Simulation): Ending {
  const seconds = sim.pendingBytes / sim.params.bandwidthBytesPerSecond + RESUME_OVERHEAD_SECONDS;
  appendFinalPhase(sim, { phase: "stop-and-copy", bytes: sim.pendingBytes, seconds, remainingBytes: 0 });
  return { outcome: "converged", downtimeMs: seconds * 1000, reason: convergedReason };
}

/** The VM resumes on the target at once; each remaining page then crosses the network once. */
function finishInPostCopy(sim: Simulation, remaining: number): Ending {
  const seconds = RESUME_OVERHEAD_SECONDS + remaining / sim.params.bandwidthBytesPerSecond;
  appendFinalPhase(sim, { phase: "post-copy", bytes: remaining, seconds, remainingBytes: 0 });
  return { outcome: "post-copy", downtimeMs: SWITCHOVER_RESUME_OVERHEAD_MS, reason: postCopyReason };
}

/** The paused guest dirties nothing; KubeVirt doubles the completion timeout and aborts if even that passes. */
function finishPaused(sim: Simulation, remaining: number): Ending {
  const pausedDeadline = (sim.completionTimeoutSeconds ?? 0) * KUBEVIRT_PAUSED_DEADLINE_FACTOR;
  const copySeconds = remaining / sim.params.bandwidthBytesPerSecond;
  const window = pausedDeadline - sim.time;
  if (copySeconds <= window) {
    const seconds = copySeconds + RESUME_OVERHEAD_SECONDS;
    appendFinalPhase(sim, { phase: "paused", bytes: remaining, seconds, remainingBytes: 0 });
    return { outcome: "paused", downtimeMs: seconds * 1000, reason: pausedReason };
  }
  const sent = window * sim.params.bandwidthBytesPerSecond;
  appendFinalPhase(sim, { phase: "paused", bytes: sent, seconds: window, remainingBytes: remaining - sent });
  return {
    outcome: "aborted",
    downtimeMs: window * 1000,
    reason: (facts) => pausedTooLongReason(facts, pausedDeadline),
  };
}

interface FinalPhase {
  readonly phase: MigrationPhase;
  readonly bytes: number;
  readonly seconds: number;
  readonly remainingBytes: number;
}

function appendFinalPhase(sim: Simulation, final: FinalPhase): void {
  sim.timeline.push({
    round: sim.timeline.length,
    phase: final.phase,
    startSeconds: sim.time,
    durationSeconds: final.seconds,
    bytes: final.bytes,
    throttle: throttleFraction(sim.throttle),
    remainingBytes: final.remainingBytes,
  });
  sim.time += final.seconds;
  sim.bytesTransferred += final.bytes;
}

function prediction(sim: Simulation, ending: Ending): MigrationPrediction {
  const facts: OutcomeFacts = {
    params: sim.params,
    rounds: sim.preCopyRounds,
    maxThrottle: sim.maxThrottle,
    downtimeMs: ending.downtimeMs,
    completionTimeoutSeconds: sim.completionTimeoutSeconds,
  };
  return {
    outcome: ending.outcome,
    succeeded: ending.outcome !== "aborted",
    autoConverged: sim.maxThrottle > 0,
    rounds: sim.preCopyRounds,
    durationSeconds: sim.time,
    downtimeMs: ending.downtimeMs,
    bytesTransferred: sim.bytesTransferred,
    maxThrottle: sim.maxThrottle,
    reason: ending.reason(facts),
    timeline: sim.timeline,
  };
}

/** Nothing moves, so KubeVirt sees no progress and cancels once the progress timeout passes. */
function noBandwidthPrediction(params: MigrationParams): MigrationPrediction {
  return {
    outcome: "aborted",
    succeeded: false,
    autoConverged: false,
    rounds: 0,
    durationSeconds: params.progressTimeoutSeconds,
    downtimeMs: 0,
    bytesTransferred: 0,
    maxThrottle: 0,
    reason: noBandwidthReason(params),
    timeline: [],
  };
}
