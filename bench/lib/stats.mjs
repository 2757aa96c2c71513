/**
 * Summary statistics for bench samples.
 * @module
 */

/** The p-th percentile (0–100) of `values`, linearly interpolated between closest ranks. */
export function percentile(values, p) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
}

/** `{ p50, p95, n }` of `values`, rounded to hundredths; p50 and p95 are null when empty. */
export function summarize(values) {
  return { p50: round(percentile(values, 50)), p95: round(percentile(values, 95)), n: values.length };
}

/** `value` rounded to hundredths, or null. */
export function round(value) {
  return value === null || value === undefined ? null : Math.round(value * 100) / 100;
}

/**
 * Milliseconds per step of one run from the start times of its steps: the span from the first
 * step's start to the last's, over the number of gaps, so the time to reach the first step
 * (ingestion, scheduling) is not counted.
 */
export function msPerStep(startedAt) {
  return (startedAt[startedAt.length - 1] - startedAt[0]) / (startedAt.length - 1);
}
