/**
 * How the report writes numbers, the same in the HTML page and the Markdown table. Missing values
 * (NaN) are a dash, never "NaN".
 */

const DASH = "—";

/** A share (0.0123) as a percentage ("1.23%"); below 1% two significant digits ("0.60%", "0.042%"). */
export function formatPercent(share: number): string {
  if (!Number.isFinite(share)) return DASH;
  const percent = share * 100;
  if (percent === 0) return "0%";
  if (Math.abs(percent) >= 10) return `${percent.toFixed(1)}%`;
  if (Math.abs(percent) >= 1) return `${percent.toFixed(2)}%`;
  return `${percent.toPrecision(2)}%`;
}

const BYTE_UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"] as const;

/** Bytes in binary units with three significant digits: "512 B", "1.50 GiB", "12.3 TiB". */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return DASH;
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const text = unit === 0 ? String(Math.round(value)) : value.toPrecision(3);
  return `${text} ${BYTE_UNITS[unit] ?? "B"}`;
}

/** A count: whole numbers with thousands separators, a mean with one decimal. */
export function formatCount(value: number): string {
  if (!Number.isFinite(value)) return DASH;
  const digits = Number.isInteger(value) ? 0 : 1;
  return value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Milliseconds with about three significant digits, no exponent. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return DASH;
  if (Math.abs(ms) >= 100) return ms.toFixed(0);
  if (Math.abs(ms) >= 10) return ms.toFixed(1);
  return ms.toFixed(2);
}

export function formatFixed(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : DASH;
}

/** Fixed decimals with thousands separators: "19,200.0". */
export function formatDecimal(value: number, digits: number): string {
  if (!Number.isFinite(value)) return DASH;
  return value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A ratio that may be tiny (SLAV): four decimals when that shows it, else an exponent ("3.27e-5"). */
export function formatSmall(value: number): string {
  if (!Number.isFinite(value)) return DASH;
  if (value === 0) return "0";
  if (Math.abs(value) >= 0.01) return value.toFixed(4);
  return value.toExponential(2);
}

/** Hours on a time-of-day axis: "0 h", "6 h", "24 h". */
export function formatHour(hours: number): string {
  return `${Number(hours.toFixed(1))} h`;
}

/** An axis count: 1, 10, 100, 1k, 10k, 1M. */
export function formatShortCount(value: number): string {
  const units: readonly [number, string][] = [
    [1e9, "G"],
    [1e6, "M"],
    [1e3, "k"],
  ];
  const found = units.find(([size]) => Math.abs(value) >= size);
  if (found === undefined) return String(Number(value.toPrecision(3)));
  return `${Number((value / found[0]).toPrecision(3))}${found[1]}`;
}

/** A percentage on an axis, without trailing zeros: "0%", "2.5%", "10%". */
export function formatPercentTick(share: number): string {
  return `${Number((share * 100).toPrecision(3))}%`;
}
