import { describe, expect, it } from "vitest";
import cron from "node-cron";
import { cronSchedule } from "../../src/controller/cron-schedule.ts";

const at = (iso: string): number => Date.parse(iso);

describe("CronSchedule.next", () => {
  it.each([
    ["*/5 * * * *", "UTC", "2026-11-22T08:03:10Z", "2026-11-22T08:05:00Z"],
    ["*/5 * * * *", "UTC", "2026-11-22T08:05:00Z", "2026-11-22T08:10:00Z"],
    ["0 22 * * 1-5", "Europe/Berlin", "2026-11-22T12:00:00Z", "2026-11-23T21:00:00Z"],
    ["*/30 * * * * *", "UTC", "2026-11-22T08:00:10Z", "2026-11-22T08:00:30Z"],
  ])("%s in %s after %s is %s", (expression, zone, after, expected) => {
    expect(cronSchedule(expression, zone).next(at(after))).toBe(at(expected));
  });

  it("makes one node-cron task per distinct schedule, however often it is asked", () => {
    const before = cron.getTasks().size;
    for (let pass = 0; pass < 50; pass++) cronSchedule("*/7 * * * *", "UTC").next(at("2026-11-22T08:00:00Z"));
    expect(cron.getTasks().size - before).toBeLessThanOrEqual(1);
  });
});
