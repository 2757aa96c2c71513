/**
 * Throttle accuracy (issue 4): a function with `throttle: { limit: THROTTLE_LIMIT, period: 1s }`
 * is sent a burst of THROTTLE_BURST_PERIODS periods' worth of events, then fed
 * THROTTLE_FEED_FACTOR × the limit for `throttleSeconds`, so a backlog always exists; the app
 * stamps each run's first step. Starts are counted per 1-s period while there is a backlog (at
 * least half a period's worth of events accepted but not started, at both edges of the period),
 * through the feed and the drain after it.
 *
 * Periods are laid on the throttle's own schedule: they begin half a start-interval
 * (period ÷ limit) before the first start, so every scheduled start sits mid-slot and a start a
 * few ms late does not cross a period edge. Independently of that choice, the most starts in any
 * sliding window of one period is reported too (GCRA with no burst allows at most `limit`).
 * @module
 */
import { setTimeout as sleep } from "node:timers/promises";
import {
  EVENTS,
  THROTTLE_BURST_PERIODS,
  THROTTLE_FEED_FACTOR,
  THROTTLE_FEED_TICK_MS,
  THROTTLE_LIMIT,
  THROTTLE_PERIOD_MS,
  THROTTLE_TOLERANCE,
} from "./config.mjs";
import { explainMissing, pollUntil, saveSamples, sendEvents } from "./events.mjs";
import { round, spread } from "./stats.mjs";

/** Beyond the time the backlog needs to drain at the limit, how long to wait for the last start. */
const DRAIN_GRACE_MS = 30_000;

export async function throttleAccuracy(bench, work) {
  const { client, app, problems } = bench;
  const perSecond = THROTTLE_LIMIT * THROTTLE_FEED_FACTOR * (1000 / THROTTLE_PERIOD_MS);
  const burst = THROTTLE_LIMIT * THROTTLE_BURST_PERIODS;
  const accepted = []; // when each event was accepted, in order
  const seqs = [];
  const eventIds = new Map();
  async function send(count) {
    const batch = Array.from({ length: count }, () => ++bench.seq);
    const ids = await sendEvents(
      client,
      batch.map((seq) => ({ name: EVENTS.throttle, data: { seq } })),
    );
    const at = Date.now();
    batch.forEach((seq, i) => (seqs.push(seq), accepted.push(at), eventIds.set(seq, ids[i])));
  }
  const feedStart = Date.now();
  const feedMs = work.throttleSeconds * 1000;
  await send(burst);
  // Each pass sends what is owed by now, so a slow answer delays events but never drops them.
  // Bounded by time, and by count since each pass sleeps a tick or waits for an answer.
  for (let pass = 0; pass < feedMs / 10 && Date.now() - feedStart < feedMs; pass++) {
    const owed = burst + Math.floor((perSecond * (Date.now() - feedStart)) / 1000) - seqs.length;
    if (owed > 0) await send(owed);
    await sleep(THROTTLE_FEED_TICK_MS);
  }
  const feedEnd = Date.now();

  const ours = new Set(seqs);
  const started = () => app.reportsOf("throttle-start").filter((r) => ours.has(r.seq));
  const drainMs = (seqs.length / THROTTLE_LIMIT) * THROTTLE_PERIOD_MS - (feedEnd - feedStart);
  await pollUntil(() => started().length === seqs.length, Math.max(0, drainMs) + DRAIN_GRACE_MS, 200);

  const starts = started()
    .map((r) => r.at)
    .sort((a, b) => a - b);
  saveSamples("throttle", { feedStart, accepted, seqs, starts: started() });
  if (starts.length === 0) throw new Error("no throttled run started");
  if (starts.length < seqs.length) {
    const seen = new Set(started().map((r) => r.seq));
    const missing = seqs.filter((seq) => !seen.has(seq));
    problems.push(
      `stepflare throttle: ${missing.length} of ${seqs.length} runs had not started ${round((Date.now() - feedEnd) / 1000)} s ` +
        `after the feed ended (throttled runs must be delayed, not dropped): seqs ${missing.slice(0, 10).join(", ")}; ` +
        (await explainMissing(
          client,
          missing.map((seq) => eventIds.get(seq)),
        )),
    );
  }
  const repeats = app.repeatsOf("throttle-start");
  if (repeats) problems.push(`stepflare throttle: the first step ran more than once ${repeats} times`);

  const interval = THROTTLE_PERIOD_MS / THROTTLE_LIMIT;
  const origin = starts[0] - interval / 2;
  const counts = [];
  for (let k = 0; ; k++) {
    const from = origin + k * THROTTLE_PERIOD_MS;
    const to = from + THROTTLE_PERIOD_MS;
    if (to > starts.at(-1)) break;
    const queued = THROTTLE_LIMIT / 2;
    if (backlog(accepted, starts, from) < queued || backlog(accepted, starts, to) < queued) continue;
    counts.push(countIn(starts, from, to));
  }
  const allowed = THROTTLE_LIMIT * THROTTLE_TOLERANCE;
  const within = counts.length > 0 && counts.every((n) => Math.abs(n - THROTTLE_LIMIT) <= allowed);
  const span = (starts.at(-1) - starts[0]) / 1000;
  return {
    limit: THROTTLE_LIMIT,
    period_ms: THROTTLE_PERIOD_MS,
    burst,
    feed_per_s: perSecond,
    feed_seconds: round((feedEnd - feedStart) / 1000),
    sent: seqs.length,
    started: starts.length,
    per_period: spread(counts),
    periods_outside_5pct: counts.filter((n) => Math.abs(n - THROTTLE_LIMIT) > allowed).length,
    all_periods_within_5pct: within,
    max_in_any_period_window: maxInWindow(starts, THROTTLE_PERIOD_MS),
    starts_per_s_overall: span > 0 ? round((starts.length - 1) / span) : null,
    repeated_steps: repeats,
  };
}

/** Events accepted before `t` minus runs started before `t`. */
function backlog(accepted, starts, t) {
  return countIn(accepted, -Infinity, t) - countIn(starts, -Infinity, t);
}

/** How many of the sorted `times` lie in [from, to). */
function countIn(times, from, to) {
  return lowerBound(times, to) - lowerBound(times, from);
}

function lowerBound(sorted, value) {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The most of the sorted `times` within any half-open window [t, t + width). */
function maxInWindow(times, width) {
  let max = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (j < times.length && times[j] < times[i] + width) j++;
    max = Math.max(max, j - i);
  }
  return max;
}
