/**
 * The nearest-rank percentile: the value at rank ceil(q · n) of the values in ascending order
 * (the smallest for q = 0). NaN when there are none. Usage summaries, benchmark reports and trace
 * replays all report percentiles this way, so one figure means the same thing everywhere.
 */

/** For values already in ascending order. */
export function nearestRankOfSorted(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1] ?? Number.NaN;
}

export function nearestRank(values: readonly number[], q: number): number {
  return nearestRankOfSorted(Float64Array.from(values).sort(), q);
}
