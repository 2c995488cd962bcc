/** The lease record rules on their own: who may take the lease, and what each write puts in it. */
import { V1MicroTime } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import {
  type LeaseRecord,
  type Observation,
  claim,
  heldSpec,
  microTime,
  observe,
  readRecord,
  releasedSpec,
} from "./lease-record.ts";

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0, 250);
const FALLBACK_MS = 15_000;

function record(apply: Partial<LeaseRecord> = {}): LeaseRecord {
  return {
    holder: "a",
    leaseDurationSeconds: 10,
    acquireTime: T0 - 60_000,
    renewTime: T0,
    leaseTransitions: 3,
    ...apply,
  };
}

function seen(apply: Partial<LeaseRecord> = {}, since = T0): Observation {
  return { record: record(apply), since };
}

describe("readRecord", () => {
  it.each([
    {
      name: "MicroTime strings as the server sends them",
      spec: {
        holderIdentity: "a",
        leaseDurationSeconds: 10,
        acquireTime: "2026-01-01T11:59:00.250000Z",
        renewTime: "2026-01-01T12:00:00.250000Z",
        leaseTransitions: 3,
      },
      expected: record(),
    },
    {
      name: "Dates, as client-node's types claim",
      spec: { holderIdentity: "a", leaseDurationSeconds: 10, renewTime: new Date(T0), leaseTransitions: 3 },
      expected: record({ acquireTime: undefined }),
    },
    {
      name: "an empty spec: nobody holds it",
      spec: {},
      expected: {
        holder: "",
        leaseDurationSeconds: undefined,
        acquireTime: undefined,
        renewTime: undefined,
        leaseTransitions: 0,
      },
    },
    {
      name: "a zero duration and an unreadable time are left out",
      spec: { holderIdentity: "a", leaseDurationSeconds: 0, renewTime: "yesterday" },
      expected: {
        holder: "a",
        leaseDurationSeconds: undefined,
        acquireTime: undefined,
        renewTime: undefined,
        leaseTransitions: 0,
      },
    },
  ])("reads $name", ({ spec, expected }) => {
    expect(readRecord({ spec: spec as never })).toEqual(expected);
  });

  it("reads a lease without a spec as free", () => {
    expect(readRecord({}).holder).toBe("");
  });
});

describe("observe", () => {
  it("keeps the time an unchanged record was first seen", () => {
    const first = seen();
    expect(observe(first, record(), T0 + 5_000)).toBe(first);
  });

  it.each([
    { name: "a renewal", change: { renewTime: T0 + 2_000 } },
    { name: "a new holder", change: { holder: "b" } },
    { name: "a release", change: { holder: "", leaseDurationSeconds: 1 } },
  ])("restarts the clock on $name", ({ change }) => {
    expect(observe(seen(), record(change), T0 + 5_000).since).toBe(T0 + 5_000);
  });

  it("starts the clock at the first sighting", () => {
    expect(observe(undefined, record(), T0 + 7).since).toBe(T0 + 7);
  });
});

describe("claim", () => {
  it.each([
    { name: "a free lease", observation: seen({ holder: "" }), now: T0, allowed: true },
    { name: "our own lease", observation: seen({ holder: "me" }), now: T0, allowed: true },
    { name: "someone else's live lease", observation: seen(), now: T0 + 9_999, allowed: false },
    { name: "someone else's lease at its expiry", observation: seen(), now: T0 + 10_000, allowed: true },
    {
      name: "a lease without a duration, by our own",
      observation: seen({ leaseDurationSeconds: undefined }),
      now: T0 + 14_999,
      allowed: false,
    },
  ])("on $name: allowed=$allowed", ({ observation, now, allowed }) => {
    expect(claim(observation, "me", now, FALLBACK_MS).allowed).toBe(allowed);
  });

  it("says who holds the lease and until when", () => {
    expect(claim(seen({ holder: "b" }, T0 + 1_000), "me", T0 + 2_000, FALLBACK_MS)).toEqual({
      allowed: false,
      holder: "b",
      until: T0 + 11_000,
    });
  });

  it("judges expiry by when the record was seen, not by the holder's renewTime", () => {
    const renewedLongAgo = seen({ renewTime: T0 - 3_600_000 }, T0);
    expect(claim(renewedLongAgo, "me", T0 + 1_000, FALLBACK_MS).allowed).toBe(false);
  });
});

describe("heldSpec", () => {
  const now = T0 + 2_000;
  it.each([
    {
      name: "a new lease starts with no transitions",
      previous: undefined,
      acquireTime: now,
      leaseTransitions: 0,
    },
    {
      name: "a renewal keeps the acquire time and count",
      previous: record({ holder: "me" }),
      acquireTime: T0 - 60_000,
      leaseTransitions: 3,
    },
    {
      name: "a takeover counts a transition",
      previous: record({ holder: "b" }),
      acquireTime: now,
      leaseTransitions: 4,
    },
    {
      name: "taking a released lease counts one too",
      previous: record({ holder: "" }),
      acquireTime: now,
      leaseTransitions: 4,
    },
  ])("$name", ({ previous, acquireTime, leaseTransitions }) => {
    const spec = heldSpec(previous, "me", 15, now);
    expect({
      holder: spec.holderIdentity,
      duration: spec.leaseDurationSeconds,
      acquireTime: spec.acquireTime?.getTime(),
      renewTime: spec.renewTime?.getTime(),
      leaseTransitions: spec.leaseTransitions,
    }).toEqual({ holder: "me", duration: 15, acquireTime, renewTime: now, leaseTransitions });
  });
});

describe("releasedSpec", () => {
  it("clears the holder, shortens the lease to a second and keeps the transition count", () => {
    const spec = releasedSpec(record({ holder: "me" }), T0);
    expect(JSON.parse(JSON.stringify(spec))).toEqual({
      leaseDurationSeconds: 1,
      acquireTime: "2026-01-01T12:00:00.250000Z",
      renewTime: "2026-01-01T12:00:00.250000Z",
      leaseTransitions: 3,
    });
  });
});

describe("microTime", () => {
  it("serializes with microseconds, as the API server's MicroTime", () => {
    const time = microTime(T0);
    expect(time).toBeInstanceOf(V1MicroTime);
    expect(JSON.stringify({ time })).toBe('{"time":"2026-01-01T12:00:00.250000Z"}');
  });
});
