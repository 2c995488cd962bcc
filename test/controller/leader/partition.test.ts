/**
 * A leader cut off from the API server (its requests hang) stops leading at its renew deadline,
 * before the standby, which waits out the full lease, takes over: the two never lead at once.
 * When the network heals, the old leader finds the lease taken and follows.
 */
import { expect, it } from "vitest";
import {
  useElectionFixture,
  LEASE_MS,
  LeadershipSampler,
  RENEW_MS,
  RETRY_MS,
  sleep,
  waitFor,
} from "./election-fixture.ts";

const fixture = useElectionFixture();

it("a partitioned leader steps down before the standby takes over", async () => {
  const proxy = await fixture().proxy();
  const a = fixture().elector("replica-a", "partition", { server: proxy.url });
  const b = fixture().elector("replica-b", "partition");
  const changes: { identity: string; leading: boolean; at: number }[] = [];
  for (const elector of [a, b]) {
    elector.onChange((leading) => changes.push({ identity: elector.identity, leading, at: Date.now() }));
  }
  a.start();
  await waitFor("a leading", () => a.isLeader());
  b.start();
  await waitFor("b following a", () => b.observedHolder() === "replica-a");
  const sampler = new LeadershipSampler([a, b]);

  proxy.cut();
  const cutAt = Date.now();
  await waitFor("b leading", () => b.isLeader(), LEASE_MS * 2);
  proxy.heal();
  await waitFor("a following b", () => a.observedHolder() === "replica-b", LEASE_MS);
  await sleep(2 * RETRY_MS);
  sampler.stop();

  const steppedDown = changes.find((change) => change.identity === "replica-a" && !change.leading);
  const tookOver = changes.find((change) => change.identity === "replica-b" && change.leading);
  // a's last renewal started at most a retry period before the cut; it leads a renew deadline past that.
  expect(steppedDown!.at - cutAt).toBeLessThanOrEqual(RENEW_MS + 200);
  expect(tookOver!.at - steppedDown!.at).toBeGreaterThanOrEqual(LEASE_MS - RENEW_MS - RETRY_MS);
  expect(changes.map(({ identity, leading }) => `${identity}:${leading}`)).toEqual([
    "replica-a:true",
    "replica-a:false",
    "replica-b:true",
  ]);
  expect([a.isLeader(), b.isLeader()]).toEqual([false, true]);
  expect(fixture().holder("partition")).toBe("replica-b");
  expect(sampler.overlaps).toEqual([]);
  expect(sampler.samples).toBeGreaterThan(200);
});
