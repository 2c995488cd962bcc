/**
 * Kubernetes resource quantities and Go-style durations, turned into plain numbers once
 * at the edge of the core. CPU becomes millicores; everything else its base unit (bytes, counts).
 * The grammar follows k8s.io/apimachinery/pkg/api/resource; test/quantity.test.ts checks it
 * against @kubernetes/client-node's parser.
 */

const binarySuffixes: Readonly<Record<string, number>> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

const decimalSuffixes: Readonly<Record<string, number>> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

const quantityPattern = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]))?$/;

/** Parses a quantity such as "250m", "4", "1.5Gi" or "1e3" into its value in base units. */
export function parseQuantity(text: string): number | undefined {
  const match = quantityPattern.exec(text.trim());
  if (!match) return undefined;
  const [, digits, exponent, suffix] = match;
  const base = Number(digits);
  if (exponent !== undefined) return base * 10 ** Number(exponent.slice(1));
  const unit = suffix === undefined ? 1 : (binarySuffixes[suffix] ?? decimalSuffixes[suffix]);
  return unit === undefined ? undefined : base * unit;
}

/** A quantity as either a YAML number (already in base units) or a quantity string. */
export function quantityValue(value: number | string): number | undefined {
  return typeof value === "number" ? value : parseQuantity(value);
}

/** CPU in millicores, rounded the way Kubernetes rounds sub-millicore requests: up. */
export function toMillicores(cores: number): number {
  return Math.ceil(Math.round(cores * 1e6) / 1e3);
}

const durationUnits: Readonly<Record<string, number>> = {
  ms: 1e-3,
  s: 1,
  m: 60,
  h: 3600,
  d: 86400,
};

const durationPattern = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;

/** Parses "90s", "5m", "1h30m" or "500ms" into seconds. Plain numbers are seconds already. */
export function parseDuration(value: number | string): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) && value >= 0 ? value : undefined;
  const text = value.trim();
  if (text === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  durationPattern.lastIndex = 0;
  let seconds = 0;
  let consumed = 0;
  for (let match = durationPattern.exec(text); match; match = durationPattern.exec(text)) {
    const [whole, amount, unit] = match;
    seconds += Number(amount) * (durationUnits[unit ?? ""] ?? Number.NaN);
    consumed += whole.length;
  }
  return consumed === text.length && Number.isFinite(seconds) ? seconds : undefined;
}

/** Formats seconds as a short human duration: "45s", "12m", "3h20m". */
export function formatDuration(seconds: number): string {
  if (seconds < 1) return `${Math.round(seconds * 1000)}ms`;
  if (seconds < 60) return `${round1(seconds)}s`;
  if (seconds < 3600) {
    const s = Math.round(seconds % 60);
    return s === 0 ? `${Math.floor(seconds / 60)}m` : `${Math.floor(seconds / 60)}m${s}s`;
  }
  const m = Math.round((seconds % 3600) / 60);
  return m === 0 ? `${Math.floor(seconds / 3600)}h` : `${Math.floor(seconds / 3600)}h${m}m`;
}

/** Formats a byte count with binary units: "512Mi", "4Gi", "1.5Ti". */
export function formatBytes(bytes: number): string {
  const units = ["", "Ki", "Mi", "Gi", "Ti", "Pi"];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${round1(value)}${units[unit]}`;
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
