/**
 * Gauges drawn with block characters: a horizontal meter for a fraction and a sparkline for a series.
 * Both are plain text of an exact width, so callers lay them out before colouring them.
 */

const EIGHTHS = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"] as const;
const FULL = "█";
const EMPTY = "░";
const MARK = "│";
const SPARKS = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"] as const;

function clamp01(value: number): number {
  return Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
}

/**
 * A meter `width` cells wide filled to `fraction` (0..1, in eighths of a cell), with an optional `mark`
 * fraction drawn as "│" — the views mark the cluster mean, where every bar would end if the load were even.
 * Fractions above 1 fill the meter; the caller prints the number beside it.
 */
export function meter(fraction: number, width: number, mark?: number): string {
  const cells = Math.max(0, Math.floor(width));
  const eighths = Math.round(clamp01(fraction) * cells * 8);
  const full = Math.floor(eighths / 8);
  const chars: string[] = [];
  for (let cell = 0; cell < cells; cell += 1) {
    if (cell < full) chars.push(FULL);
    else if (cell === full && eighths % 8 > 0) chars.push(EIGHTHS[eighths % 8] ?? FULL);
    else chars.push(EMPTY);
  }
  if (mark !== undefined && Number.isFinite(mark) && cells > 0) {
    chars[Math.min(cells - 1, Math.floor(clamp01(mark) * cells))] = MARK;
  }
  return chars.join("");
}

/**
 * The last `width` values as ▁▂▃▄▅▆▇█, scaled from the smallest of them (or `floor`, when given and
 * lower) to the largest. Values that are not numbers draw as a space; a flat series draws as ▁.
 */
export function sparkline(values: readonly number[], width: number, floor?: number): string {
  const shown = values.slice(Math.max(0, values.length - Math.max(0, Math.floor(width))));
  const finite = shown.filter((value) => Number.isFinite(value));
  const low = Math.min(...finite, floor !== undefined && Number.isFinite(floor) ? floor : Infinity);
  const span = Math.max(...finite) - low;
  return shown
    .map((value) => {
      if (!Number.isFinite(value)) return " ";
      const level = span > 0 ? Math.round(((Math.max(low, value) - low) / span) * (SPARKS.length - 1)) : 0;
      return SPARKS[level] ?? " ";
    })
    .join("");
}
