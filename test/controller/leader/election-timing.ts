/** The leader-election tests' namespace and short timings, kept apart so a child process loads them cheaply. */
export const NS = "kubedrs";
export const TIMING = { leaseDurationSeconds: 2, renewDeadlineSeconds: 1.5, retryPeriodSeconds: 0.25 } as const;
export const LEASE_MS = TIMING.leaseDurationSeconds * 1000;
export const RENEW_MS = TIMING.renewDeadlineSeconds * 1000;
export const RETRY_MS = TIMING.retryPeriodSeconds * 1000;
