import { describe, expect, it } from "vitest";
import type { DateWindow, WeeklyWindow } from "../policy/kinds/common.ts";
import { movesAllowedAt, type ScheduleWindows } from "./windows.ts";

const ALL_DAYS: WeeklyWindow["days"] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const nights: WeeklyWindow = { days: ["Mon", "Tue", "Wed", "Thu", "Fri"], start: "22:00", end: "06:00" };
const lunch: WeeklyWindow = { days: ALL_DAYS, start: "12:00", end: "13:00" };
const release: DateWindow = { from: "2026-12-20T00:00:00Z", to: "2027-01-04T00:00:00Z", reason: "year-end" };

function windows(partial: Partial<ScheduleWindows>): ScheduleWindows {
  return { timeZone: "UTC", allowedWindows: [], freezeWindows: [], ...partial };
}

describe("movesAllowedAt", () => {
  // 2026-11-23 is a Monday.
  it.each([
    ["no windows: always open", windows({}), "2026-11-23T15:00:00Z", true],
    ["inside a night window, evening part", windows({ allowedWindows: [nights] }), "2026-11-23T23:00:00Z", true],
    ["inside a night window, after midnight", windows({ allowedWindows: [nights] }), "2026-11-24T05:59:00Z", true],
    ["Saturday morning belongs to Friday's night", windows({ allowedWindows: [nights] }), "2026-11-28T03:00:00Z", true],
    ["Sunday night: Sunday has no window", windows({ allowedWindows: [nights] }), "2026-11-22T23:00:00Z", false],
    ["the end minute is outside", windows({ allowedWindows: [nights] }), "2026-11-24T06:00:00Z", false],
    ["midday outside the night window", windows({ allowedWindows: [nights] }), "2026-11-23T12:00:00Z", false],
    ["a date freeze wins over an allowed window", windows({ freezeWindows: [release] }), "2026-12-24T12:00:00Z", false],
    ["after the date freeze", windows({ freezeWindows: [release] }), "2027-01-04T00:00:00Z", true],
    ["a weekly freeze", windows({ freezeWindows: [lunch] }), "2026-11-23T12:30:00Z", false],
    [
      "windows read in the policy's time zone",
      windows({ timeZone: "Europe/Berlin", allowedWindows: [lunch] }),
      "2026-11-23T11:30:00Z",
      true,
    ],
  ])("%s", (_name, schedule, iso, open) => {
    expect(movesAllowedAt(Date.parse(iso), schedule).open).toBe(open);
  });

  it("says which window closed it", () => {
    const verdict = movesAllowedAt(Date.parse("2026-12-24T12:00:00Z"), windows({ freezeWindows: [release] }));
    expect(verdict).toMatchObject({ open: false, reason: expect.stringContaining("year-end") });
  });
});
