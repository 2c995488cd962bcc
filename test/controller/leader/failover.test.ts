/**
 * A standby takes over when the leader goes: within a lease duration when the leader dies without
 * a word (it stops renewing and never releases), within a retry period when it shuts down
 * gracefully (it releases the lease). At no sampled instant do both replicas lead.
 */
import { describe, expect, it } from "vitest";
import { useElectionFixture, LEASE_MS, LeadershipSampler, RETRY_MS, waitFor } from "./election-fixture.ts";

/** Timers and requests on a busy two-core machine run a little late; this much is tolerated. */
const SLACK_MS = 400;

const fixture = useElectionFixture();

/** a leads, b follows, both sampled. */
async function leaderAndStandby(lease: string) {
  const a = fixture().elector("replica-a", lease);
  const b = fixture().elector("replica-b", lease);
  a.start();
  await waitFor("a leading", () => a.isLeader());
  b.start();
  await waitFor("b following a", () => b.observedHolder() === "replica-a");
  return { a, b, sampler: new LeadershipSampler([a, b]) };
}

describe("failover", () => {
  it("after a crash (no renewals, no release) comes once the lease has run out", async () => {
    const { a, b, sampler } = await leaderAndStandby("crash");
    await a.stop({ release: false });
    const crashedAt = Date.now();
    const takenAt = await waitFor("b leading", () => b.isLeader(), LEASE_MS * 2);
    sampler.stop();

    // a's last renewal was at most a retry period before the crash, and b counts the lease from
    // when it saw that renewal: never sooner than lease - retry, at most lease + 2 retries later.
    expect(takenAt - crashedAt).toBeGreaterThanOrEqual(LEASE_MS - RETRY_MS);
    expect(takenAt - crashedAt).toBeLessThanOrEqual(LEASE_MS + 2 * RETRY_MS + SLACK_MS);
    expect(fixture().lease("crash")?.spec).toMatchObject({ holderIdentity: "replica-b", leaseTransitions: 1 });
    expect(a.isLeader()).toBe(false);
    expect(sampler.overlaps).toEqual([]);
    expect(sampler.samples).toBeGreaterThan(100);
  });

  it("after a graceful stop comes within one retry period, and the old leader stops acting first", async () => {
    const { a, b, sampler } = await leaderAndStandby("graceful");
    const holderWhenToldToStop: unknown[] = [];
    a.onChange((leading) => {
      if (!leading) holderWhenToldToStop.push(fixture().holder("graceful"));
    });
    await a.stop();
    const releasedAt = Date.now();
    const released = fixture().lease("graceful")?.spec;
    const takenAt = await waitFor("b leading", () => b.isLeader(), LEASE_MS);
    sampler.stop();

    expect(holderWhenToldToStop).toEqual(["replica-a"]);
    expect(released).toMatchObject({ leaseDurationSeconds: 1, leaseTransitions: 0 });
    expect(released?.holderIdentity).toBeUndefined();
    expect(takenAt - releasedAt).toBeLessThanOrEqual(RETRY_MS + SLACK_MS);
    expect(fixture().lease("graceful")?.spec).toMatchObject({ holderIdentity: "replica-b", leaseTransitions: 1 });
    expect(sampler.overlaps).toEqual([]);
  });
});
