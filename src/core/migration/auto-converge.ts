/**
 * QEMU's auto-converge, as migration/ram.c implements it (read in qemu/qemu, functions
 * migration_bitmap_sync, migration_trigger_throttle and mig_throttle_guest_down):
 *
 * - At a dirty-bitmap sync that ends a period of more than 1 s, QEMU compares the pages newly dirtied
 *   in the period with the bytes sent in it. If dirtied > throttle-trigger-threshold (50 %) × sent,
 *   `++dirty_rate_high_cnt >= 2` decides: the first too-dirty period only counts; the second throttles
 *   and resets the count to 0. Periods that are not too dirty leave the count alone. So every throttle
 *   step needs two more too-dirty periods, not one.
 * - The first step sets cpu-throttle-initial (20 %); each later step adds cpu-throttle-increment (10 %),
 *   capped at max-cpu-throttle (99 %). (cpu-throttle-tailslow is off by default and not modelled.)
 * - migration/cpu-throttle.c cpu_throttle_thread makes each vCPU sleep pct/(1 − pct) of every run slice,
 *   so the guest runs (1 − pct) of the time and dirties memory that much slower.
 */
import {
  QEMU_CPU_THROTTLE_INCREMENT_PERCENT,
  QEMU_CPU_THROTTLE_INITIAL_PERCENT,
  QEMU_MAX_CPU_THROTTLE_PERCENT,
  QEMU_THROTTLE_TRIGGER_THRESHOLD,
  QEMU_TOO_DIRTY_PERIODS_PER_THROTTLE_STEP,
} from "./constants.ts";

export interface ThrottleState {
  /** Integer percent, as QEMU keeps it; 0 means not throttling. */
  readonly percent: number;
  /** QEMU's dirty_rate_high_cnt. */
  readonly tooDirtyPeriods: number;
}

export const NOT_THROTTLED: ThrottleState = { percent: 0, tooDirtyPeriods: 0 };

/** What one bitmap-sync period saw: pages newly dirtied and bytes sent, both in bytes. */
export interface SyncPeriod {
  readonly dirtiedBytes: number;
  readonly sentBytes: number;
}

export function isTooDirty(period: SyncPeriod): boolean {
  return period.dirtiedBytes > period.sentBytes * QEMU_THROTTLE_TRIGGER_THRESHOLD;
}

/** migration_trigger_throttle: the throttle after QEMU judged one sync period. */
export function throttleAfterPeriod(state: ThrottleState, period: SyncPeriod): ThrottleState {
  if (!isTooDirty(period)) return state;
  const tooDirtyPeriods = state.tooDirtyPeriods + 1;
  if (tooDirtyPeriods < QEMU_TOO_DIRTY_PERIODS_PER_THROTTLE_STEP) return { percent: state.percent, tooDirtyPeriods };
  return { percent: nextThrottlePercent(state.percent), tooDirtyPeriods: 0 };
}

/** mig_throttle_guest_down without tailslow. */
function nextThrottlePercent(percent: number): number {
  if (percent === 0) return QEMU_CPU_THROTTLE_INITIAL_PERCENT;
  return Math.min(percent + QEMU_CPU_THROTTLE_INCREMENT_PERCENT, QEMU_MAX_CPU_THROTTLE_PERCENT);
}

/** The throttle as a fraction, 0..0.99. */
export function throttleFraction(state: ThrottleState): number {
  return state.percent / 100;
}
