import { describe, expect, it } from "vitest";
import { HeapRelease } from "./heap-release.ts";

describe("HeapRelease", () => {
  it("asks for a last-resort major collection, at most once per gap", () => {
    const calls: unknown[] = [];
    const clock = { now: 0 };
    const release = new HeapRelease({ gc: (options) => calls.push(options), gapMs: 60_000, now: () => clock.now });
    expect(release.release()).toBe(true);
    clock.now = 59_999;
    expect(release.release()).toBe(false);
    clock.now = 60_000;
    expect(release.release()).toBe(true);
    expect(calls).toEqual([
      { type: "major", execution: "sync", flavor: "last-resort" },
      { type: "major", execution: "sync", flavor: "last-resort" },
    ]);
  });

  it("does nothing when the runtime does not expose gc", () => {
    const release = new HeapRelease({ gc: undefined });
    expect(release.enabled).toBe(false);
    expect(release.release()).toBe(false);
  });

  it("after a sample, collects only above the soft memory target", () => {
    let calls = 0;
    const memory = { rss: 300 };
    const release = new HeapRelease({ gc: () => (calls += 1), gapMs: 0, targetBytes: 400, rss: () => memory.rss });
    expect(release.releaseAboveTarget()).toBe(false);
    memory.rss = 401;
    expect(release.releaseAboveTarget()).toBe(true);
    expect(new HeapRelease({ gc: () => (calls += 1), gapMs: 0, rss: () => 1e12 }).releaseAboveTarget()).toBe(false);
    expect(calls).toBe(1);
  });
});
