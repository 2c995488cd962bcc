/**
 * The leader-election record a coordination.k8s.io/v1 Lease carries, and client-go's rules for it:
 * who may take the lease, and what an acquire, a renewal and a release write. Pure functions of
 * the record and the time, so the elector's decisions can be tested without a cluster.
 *
 * Expiry is judged by when this replica last saw the record change, on its own clock, never by
 * the holder's renewTime: the two replicas' clocks need not agree (client-go does the same).
 */
import { type V1Lease, type V1LeaseSpec, V1MicroTime } from "@kubernetes/client-node";

export interface LeaseRecord {
  /** The holder's identity; "" when nobody holds the lease (never taken, or released). */
  readonly holder: string;
  readonly leaseDurationSeconds: number | undefined;
  /** Milliseconds since the epoch. */
  readonly acquireTime: number | undefined;
  readonly renewTime: number | undefined;
  readonly leaseTransitions: number;
}

/** A record as this replica saw it, and when (its own clock) the record last changed. */
export interface Observation {
  readonly record: LeaseRecord;
  readonly since: number;
}

export function readRecord(lease: V1Lease): LeaseRecord {
  const spec = lease.spec ?? {};
  const duration = spec.leaseDurationSeconds;
  return {
    holder: spec.holderIdentity ?? "",
    leaseDurationSeconds: typeof duration === "number" && duration > 0 ? duration : undefined,
    acquireTime: toMillis(spec.acquireTime),
    renewTime: toMillis(spec.renewTime),
    leaseTransitions: typeof spec.leaseTransitions === "number" ? spec.leaseTransitions : 0,
  };
}

/** Typed as a Date, but client-node hands MicroTime back as the server's string. */
function toMillis(value: unknown): number | undefined {
  if (value instanceof Date) return value.getTime();
  if (typeof value !== "string") return undefined;
  const millis = Date.parse(value);
  return Number.isNaN(millis) ? undefined : millis;
}

export function sameRecord(a: LeaseRecord, b: LeaseRecord): boolean {
  return (
    a.holder === b.holder &&
    a.leaseDurationSeconds === b.leaseDurationSeconds &&
    a.acquireTime === b.acquireTime &&
    a.renewTime === b.renewTime &&
    a.leaseTransitions === b.leaseTransitions
  );
}

/** The observation after reading `record` at `now`: an unchanged record keeps its old start. */
export function observe(previous: Observation | undefined, record: LeaseRecord, now: number): Observation {
  if (previous && sameRecord(previous.record, record)) return previous;
  return { record, since: now };
}

/** When the holder's lease runs out, by the record's own duration (or ours if it has none). */
export function expiresAt(observation: Observation, fallbackDurationMs: number): number {
  const seconds = observation.record.leaseDurationSeconds;
  return observation.since + (seconds === undefined ? fallbackDurationMs : seconds * 1000);
}

export type Claim =
  { readonly allowed: true } | { readonly allowed: false; readonly holder: string; readonly until: number };

/** Whether `identity` may write itself into the lease now: it is free, expired, or already ours. */
export function claim(observation: Observation, identity: string, now: number, fallbackDurationMs: number): Claim {
  const { holder } = observation.record;
  if (holder === "" || holder === identity) return { allowed: true };
  const until = expiresAt(observation, fallbackDurationMs);
  return now >= until ? { allowed: true } : { allowed: false, holder, until };
}

/**
 * The spec that makes `identity` the holder at `now`. A renewal keeps the acquire time and the
 * transition count; taking the lease from someone else (or from nobody) counts a transition.
 */
export function heldSpec(
  previous: LeaseRecord | undefined,
  identity: string,
  leaseDurationSeconds: number,
  now: number,
): V1LeaseSpec {
  const renewing = previous?.holder === identity;
  const acquiredAt = renewing ? (previous.acquireTime ?? now) : now;
  const transitions = previous === undefined ? 0 : previous.leaseTransitions + (renewing ? 0 : 1);
  return {
    holderIdentity: identity,
    leaseDurationSeconds,
    acquireTime: microTime(acquiredAt),
    renewTime: microTime(now),
    leaseTransitions: transitions,
  };
}

/** client-go's release: no holder and a one-second lease, so any standby may take it at once. */
export function releasedSpec(previous: LeaseRecord, now: number): V1LeaseSpec {
  return {
    leaseDurationSeconds: 1,
    acquireTime: microTime(now),
    renewTime: microTime(now),
    leaseTransitions: previous.leaseTransitions,
  };
}

/** client-node's MicroTime serializes with six fractional digits, as the API server expects. */
export function microTime(millis: number): V1MicroTime {
  return new V1MicroTime(millis);
}
