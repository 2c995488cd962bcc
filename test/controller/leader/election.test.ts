/**
 * Two controller replicas elect one leader over a Lease served by the twin: the lease is created
 * when missing, exactly one replica leads while both run, and a replica that loses a write race
 * (409, whether on create or on update) stays a follower instead of failing.
 */
import { describe, expect, it } from "vitest";
import {
  useElectionFixture,
  LeadershipSampler,
  NS,
  RENEW_MS,
  RETRY_MS,
  memoryLogger,
  sleep,
  waitFor,
} from "./election-fixture.ts";

const fixture = useElectionFixture();

describe("two replicas", () => {
  it("elect one leader, which creates the Lease and keeps renewing it", async () => {
    const a = fixture().elector("replica-a", "one-leader");
    const b = fixture().elector("replica-b", "one-leader");
    const changes: string[] = [];
    for (const elector of [a, b]) elector.onChange((leading) => changes.push(`${elector.identity}:${leading}`));
    const sampler = new LeadershipSampler([a, b]);
    a.start();
    b.start();
    await waitFor("a leader", () => a.isLeader() || b.isLeader());
    const renewTimes = new Set<unknown>();
    for (let step = 0; step < 8; step += 1) {
      await sleep(125);
      renewTimes.add(fixture().lease("one-leader")?.spec?.renewTime);
    }
    sampler.stop();

    const [leader, follower] = a.isLeader() ? [a, b] : [b, a];
    expect(follower.isLeader()).toBe(false);
    expect(changes).toEqual([`${leader.identity}:true`]);
    expect(follower.observedHolder()).toBe(leader.identity);
    expect(fixture().lease("one-leader")).toMatchObject({
      metadata: { name: "one-leader", namespace: NS },
      spec: { holderIdentity: leader.identity, leaseDurationSeconds: 2, leaseTransitions: 0 },
    });
    // Renewed every retry period (250 ms) over a second: several distinct renew times.
    expect(renewTimes.size).toBeGreaterThanOrEqual(3);
    expect(String(fixture().lease("one-leader")?.spec?.renewTime)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(sampler.overlaps).toEqual([]);
  });

  it("unsubscribed listeners hear nothing, and a listener that throws is logged, not fatal", async () => {
    const { logger, lines } = memoryLogger();
    const a = fixture().elector("replica-a", "listeners", { logger });
    const heard: boolean[] = [];
    a.onChange(() => {
      throw new Error("listener broke");
    });
    const unsubscribe = a.onChange((leading) => heard.push(leading));
    unsubscribe();
    a.start();
    await waitFor("leadership", () => a.isLeader());
    await sleep(300);

    expect(a.isLeader()).toBe(true);
    expect(heard).toEqual([]);
    expect(lines).toContainEqual(
      expect.objectContaining({ msg: "a leadership listener failed", error: "listener broke", identity: "replica-a" }),
    );
  });
  it("a leader that finds its lease taken over (edited by hand) steps down at its next round", async () => {
    const a = fixture().elector("replica-a", "taken");
    const changes: boolean[] = [];
    a.onChange((leading) => changes.push(leading));
    a.start();
    await waitFor("a leading", () => a.isLeader());
    const { store, resources } = fixture().twin.runtime;
    const lease = fixture().lease("taken")!;
    store.update(resources.leases, { ...lease, spec: { ...lease.spec, holderIdentity: "intruder" } });
    const editedAt = Date.now();
    const steppedDownAt = await waitFor("a to step down", () => !a.isLeader(), RENEW_MS);

    // At its next read, not at the renew deadline, which would be a second or more away.
    expect(steppedDownAt - editedAt).toBeLessThan(RETRY_MS + 300);
    expect(changes).toEqual([true, false]);
    expect(a.observedHolder()).toBe("intruder");
  });
});

describe("a lost write race (409)", () => {
  it("on create: the replica whose create comes second follows", async () => {
    const proxy = await fixture().proxy();
    const { logger, lines } = memoryLogger();
    const a = fixture().elector("replica-a", "create-race");
    const b = fixture().elector("replica-b", "create-race", { server: proxy.url, logger });
    // b reads "no lease" but hears so only after a has created it, so b's create collides.
    proxy.holdAnswers();
    b.start();
    await waitFor("b's read of the missing lease", () => proxy.heldAnswers().length === 1);
    a.start();
    await waitFor("a leading", () => a.isLeader());
    proxy.releaseAnswers();
    await waitFor("b's create to come back", () => proxy.log.some((entry) => entry.startsWith("POST")));
    await sleep(100);

    expect(proxy.log.slice(0, 2)).toEqual([
      `GET /apis/coordination.k8s.io/v1/namespaces/${NS}/leases/create-race 404`,
      `POST /apis/coordination.k8s.io/v1/namespaces/${NS}/leases 409`,
    ]);
    expect(lines).toContainEqual(
      expect.objectContaining({
        msg: "another replica wrote the lease first",
        reason: expect.stringContaining("already exists") as unknown,
      }),
    );
    expect([a.isLeader(), b.isLeader()]).toEqual([true, false]);
    expect(fixture().holder("create-race")).toBe("replica-a");
  });

  it("on update: a takeover based on a stale read is refused, and the fresh renewal restarts the wait", async () => {
    const proxy = await fixture().proxy();
    const { logger, lines } = memoryLogger();
    const { store, resources } = fixture().twin.runtime;
    // A holder on another machine with a one-second lease, which it renews once more below.
    const ghost = store.create(resources.leases, {
      metadata: { name: "update-race", namespace: NS },
      spec: {
        holderIdentity: "ghost",
        leaseDurationSeconds: 1,
        renewTime: "2026-01-01T00:00:00.000000Z",
        leaseTransitions: 4,
      },
    });
    const b = fixture().elector("replica-b", "update-race", { server: proxy.url, logger });
    b.start();
    const firstSeen = await waitFor("b to see the ghost's lease", () => b.observedHolder() === "ghost");
    proxy.holdAnswers();
    await waitFor("b's next read", () => proxy.heldAnswers().length === 1);
    // The ghost renews while b's read (of the old record) is still on its way.
    store.update(resources.leases, { ...ghost, spec: { ...ghost.spec, renewTime: "2026-01-01T00:00:01.000000Z" } });
    await sleep(firstSeen + 1_100 - Date.now());
    proxy.releaseAnswers();
    await waitFor("b's write to come back", () => proxy.log.some((entry) => entry.startsWith("PUT")));
    const refusedAt = Date.now();
    const takenAt = await waitFor("b to take over the lapsed lease", () => b.isLeader());

    expect(proxy.log.find((entry) => entry.startsWith("PUT"))).toMatch(/ 409$/);
    expect(lines).toContainEqual(
      expect.objectContaining({
        msg: "another replica wrote the lease first",
        reason: expect.stringContaining("the object has been modified") as unknown,
      }),
    );
    // The renewal b saw after the refusal counts in full: one more lease duration of waiting.
    expect(takenAt - refusedAt).toBeGreaterThanOrEqual(900);
    expect(fixture().lease("update-race")?.spec).toMatchObject({ holderIdentity: "replica-b", leaseTransitions: 5 });
  });
});
