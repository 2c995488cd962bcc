/**
 * Number and time formats shared by the demo's live frame and its end summary. Inputs come from a
 * running controller, so a value that is not a number prints as "—" instead of "NaN".
 */
import { formatBytes, formatDuration } from "../../core/model/quantity.ts";

export const MISSING = "—";

/** An imbalance or other fraction as the CLI prints it elsewhere: three decimals. */
export function decimal3(value: number | null): string {
  return value !== null && Number.isFinite(value) ? value.toFixed(3) : MISSING;
}

export function percent(fraction: number): string {
  return Number.isFinite(fraction) ? `${Math.round(fraction * 100)}%` : "?";
}

/** A duration in the CLI's short form; zero reads "0s" rather than "0ms". */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return MISSING;
  return seconds === 0 ? "0s" : formatDuration(Math.max(0, seconds));
}

/** A speed-up factor: "60×", "1.5×". */
export function times(factor: number): string {
  if (!Number.isFinite(factor)) return MISSING;
  return `${factor >= 10 ? Math.round(factor) : Math.round(factor * 10) / 10}×`;
}

/** Bytes in binary units with a space and a B, as an admin writes them in a ticket: "41.3 GiB". */
export function bytes(count: number): string {
  if (!Number.isFinite(count)) return MISSING;
  const text = formatBytes(count);
  const unit = /[A-Za-z]*$/.exec(text)?.[0] ?? "";
  return `${text.slice(0, text.length - unit.length)} ${unit}B`;
}

const ISO_TIME = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * "2026-11-22T08:05:00.000Z" as "2026-11-22 08:05:00 UTC", or "08:05:00 UTC" without the date;
 * anything that is not such a timestamp is shown as given.
 */
export function wallClock(iso: string, withDate = true): string {
  const match = ISO_TIME.exec(iso);
  if (!match) return iso;
  const [, date, time, zone] = match;
  const suffix = zone === undefined ? "" : zone === "Z" ? " UTC" : ` ${zone}`;
  return `${withDate ? `${date} ` : ""}${time}${suffix}`;
}
