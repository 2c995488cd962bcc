/**
 * Whether moves may start at a given moment: inside an allowed weekly window (when any is set) and
 * outside every change freeze. Weekly windows are read in the policy's time zone; a window whose end
 * is before its start runs past midnight and belongs to the day it starts on.
 */
import type { DateWindow, WeeklyWindow, Weekday } from "../policy/kinds/common.ts";

export interface ScheduleWindows {
  readonly timeZone: string;
  readonly allowedWindows: readonly WeeklyWindow[];
  readonly freezeWindows: readonly (DateWindow | WeeklyWindow)[];
}

export type WindowVerdict = { readonly open: true } | { readonly open: false; readonly reason: string };

const WEEKDAYS: readonly Weekday[] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

interface LocalTime {
  readonly day: number;
  readonly minute: number;
}

function localTime(now: number, timeZone: string): LocalTime {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    weekday: "short",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).formatToParts(now);
  const part = (type: string): string => parts.find((entry) => entry.type === type)?.value ?? "";
  const day = WEEKDAYS.indexOf(part("weekday") as Weekday);
  return { day, minute: Number(part("hour")) * 60 + Number(part("minute")) };
}

function minutes(clock: string): number {
  const [hours = 0, mins = 0] = clock.split(":").map(Number);
  return hours * 60 + mins;
}

function inWeekly(window: WeeklyWindow, at: LocalTime): boolean {
  const start = minutes(window.start);
  const end = minutes(window.end);
  const today = WEEKDAYS[at.day] as Weekday;
  const yesterday = WEEKDAYS[(at.day + 6) % 7] as Weekday;
  if (start < end) return window.days.includes(today) && at.minute >= start && at.minute < end;
  // Past midnight: the evening part belongs to today, the early-morning part to yesterday's window.
  return (window.days.includes(today) && at.minute >= start) || (window.days.includes(yesterday) && at.minute < end);
}

function isDateWindow(window: DateWindow | WeeklyWindow): window is DateWindow {
  return "from" in window;
}

function describeWeekly(window: WeeklyWindow): string {
  return `${window.days.join(",")} ${window.start}–${window.end}`;
}

export function movesAllowedAt(now: number, windows: ScheduleWindows): WindowVerdict {
  const at = localTime(now, windows.timeZone);
  for (const freeze of windows.freezeWindows) {
    if (isDateWindow(freeze)) {
      if (now >= Date.parse(freeze.from) && now < Date.parse(freeze.to))
        return {
          open: false,
          reason: `change freeze ${freeze.from} → ${freeze.to}${freeze.reason ? ` (${freeze.reason})` : ""}`,
        };
    } else if (inWeekly(freeze, at)) {
      return { open: false, reason: `weekly freeze ${describeWeekly(freeze)} (${windows.timeZone})` };
    }
  }
  if (windows.allowedWindows.length === 0 || windows.allowedWindows.some((window) => inWeekly(window, at)))
    return { open: true };
  const allowed = windows.allowedWindows.map(describeWeekly).join("; ");
  return { open: false, reason: `outside the allowed windows ${allowed} (${windows.timeZone})` };
}
