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

/**
 * The most intervals (`{ start, end }`, ms) open at one moment, and the first moment it happened,
 * by a sweep line: `{ max, at }`. An interval that ends at the moment another starts does not
 * overlap it (ends are taken first at equal times), since the app stamps both with the same
 * millisecond clock.
 */
export function maxOverlap(intervals) {
  const edges = [];
  for (const { start, end } of intervals) edges.push([start, 1], [end, -1]);
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0;
  let max = 0;
  let at = null;
  for (const [time, delta] of edges) {
    open += delta;
    if (open > max) [max, at] = [open, time];
  }
  return { max, at };
}

/** `{ mean, min, max, n }` of `values` (mean rounded to hundredths); nulls when empty. */
export function spread(values) {
  if (values.length === 0) return { mean: null, min: null, max: null, n: 0 };
  const sum = values.reduce((a, b) => a + b, 0);
  return { mean: round(sum / values.length), min: Math.min(...values), max: Math.max(...values), n: values.length };
}
