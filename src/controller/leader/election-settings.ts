/**
 * The leader election's timings: client-go's defaults (15 s lease, 10 s renew deadline, 2 s retry
 * period) and its rule that they nest (retry < renew deadline < lease). A leader steps down once
 * it has not renewed for the renew deadline, and a standby takes over only after the full lease
 * duration, so the gap between the two is what keeps two leaders from acting at once.
 */

export interface ElectionTimingOptions {
  /** How long a standby waits, from when it last saw the lease change, before taking it over. */
  readonly leaseDurationSeconds?: number;
  /** How long a leader keeps leading without a successful renewal. */
  readonly renewDeadlineSeconds?: number;
  /** How often a leader renews and a standby retries. */
  readonly retryPeriodSeconds?: number;
}

/** The timings in milliseconds, checked. */
export interface ElectionTiming {
  readonly leaseDurationMs: number;
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
}

export const DEFAULT_TIMING = {
  leaseDurationSeconds: 15,
  renewDeadlineSeconds: 10,
  retryPeriodSeconds: 2,
} as const;

/** Returns the timings with defaults filled in; throws one error listing every bad field. */
export function electionTiming(options: ElectionTimingOptions): ElectionTiming {
  const lease = options.leaseDurationSeconds ?? DEFAULT_TIMING.leaseDurationSeconds;
  const renew = options.renewDeadlineSeconds ?? DEFAULT_TIMING.renewDeadlineSeconds;
  const retry = options.retryPeriodSeconds ?? DEFAULT_TIMING.retryPeriodSeconds;
  const problems = timingProblems(lease, renew, retry);
  if (problems.length > 0) throw new Error(`leader election: ${problems.join("; ")}`);
  return { leaseDurationMs: lease * 1000, renewDeadlineMs: renew * 1000, retryPeriodMs: retry * 1000 };
}

function timingProblems(lease: number, renew: number, retry: number): string[] {
  const problems: string[] = [];
  const fields = { leaseDurationSeconds: lease, renewDeadlineSeconds: renew, retryPeriodSeconds: retry };
  for (const [field, value] of Object.entries(fields)) {
    if (!Number.isFinite(value) || value <= 0)
      problems.push(`${field} must be a positive number of seconds, not ${value}`);
  }
  if (problems.length > 0) return problems;
  if (renew >= lease) {
    problems.push(`renewDeadlineSeconds (${renew}) must be less than leaseDurationSeconds (${lease})`);
  }
  if (retry >= renew) {
    problems.push(`retryPeriodSeconds (${retry}) must be less than renewDeadlineSeconds (${renew})`);
  }
  return problems;
}

/** The lease's name, namespace and holder identity must be non-empty; a typo here splits the election. */
export function requireNames(names: {
  readonly namespace: string;
  readonly name: string;
  readonly identity: string;
}): void {
  const missing = Object.entries(names)
    .filter(([, value]) => typeof value !== "string" || value.trim() === "")
    .map(([field]) => field);
  if (missing.length > 0) throw new Error(`leader election: ${missing.join(", ")} must not be empty`);
}
