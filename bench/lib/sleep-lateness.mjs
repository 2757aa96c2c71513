/**
 * Sleep wake-up lateness (issue 3): `sleepRuns` runs started together, each sleeping SLEEP_MS;
 * lateness = the step after the sleep starting − (the sleep starting + SLEEP_MS), both moments
 * taken in the app. The sleep's start is the first time the run's code reached `step.sleep`,
 * which is no later than the server learning of it, so lateness is if anything overstated.
 * @module
 */
import { EVENTS, SLEEP_MS, SLEEP_WAKE_TIMEOUT_MS } from "./config.mjs";
import { explainMissing, pollUntil, saveSamples, sendEvents } from "./events.mjs";
import { round, summarize } from "./stats.mjs";

/** Trigger events per request. */
const BATCH = 100;

export async function sleepLateness(bench, work) {
  const { client, app, problems } = bench;
  const seqs = Array.from({ length: work.sleepRuns }, () => ++bench.seq);
  const ours = new Set(seqs);
  const sentAt = Date.now();
  const eventIds = [];
  for (let i = 0; i < seqs.length; i += BATCH) {
    eventIds.push(
      ...(await sendEvents(
        client,
        seqs.slice(i, i + BATCH).map((seq) => ({ name: EVENTS.sleep, data: { seq } })),
      )),
    );
  }
  const woken = () => app.reportsOf("sleep-woke").filter((r) => ours.has(r.seq));
  await pollUntil(() => woken().length === seqs.length, SLEEP_MS + SLEEP_WAKE_TIMEOUT_MS, 200);

  saveSamples("sleep", { sentAt, starts: app.reportsOf("sleep-start").filter((r) => ours.has(r.seq)), woken: woken() });
  const starts = new Map(
    app
      .reportsOf("sleep-start")
      .filter((r) => ours.has(r.seq))
      .map((r) => [r.seq, r.at]),
  );
  const lateness = [];
  for (const { seq, at } of woken()) {
    if (starts.has(seq)) lateness.push(at - (starts.get(seq) + SLEEP_MS));
  }
  const missing = seqs.length - lateness.length;
  if (missing) {
    const woke = new Set(woken().map((r) => r.seq));
    const ids = seqs.flatMap((seq, i) => (woke.has(seq) ? [] : [eventIds[i]]));
    problems.push(
      `stepflare sleep: ${missing} of ${seqs.length} sleeping runs had not woken ` +
        `${(SLEEP_MS + SLEEP_WAKE_TIMEOUT_MS) / 1000} s after their events were sent ` +
        `(${starts.size} reached the sleep); ${await explainMissing(client, ids)}`,
    );
  }
  const early = lateness.filter((ms) => ms < 0);
  if (early.length) {
    problems.push(`stepflare sleep: ${early.length} runs woke before their ${SLEEP_MS} ms sleep was over (earliest by ${-Math.min(...early)} ms)`);
  }
  const repeats = app.repeatsOf("sleep-woke");
  if (repeats) problems.push(`stepflare sleep: the step after the sleep ran more than once ${repeats} times`);
  const startTimes = [...starts.values()];
  return {
    runs: seqs.length,
    woken: lateness.length,
    lateness_ms: { ...summarize(lateness), max: lateness.length ? Math.max(...lateness) : null },
    // How spread out the sleeps began: wake-ups are bunched when this is small.
    sleep_starts_spread_ms: startTimes.length ? Math.max(...startTimes) - Math.min(...startTimes) : null,
    first_sleep_after_send_ms: startTimes.length ? round(Math.min(...startTimes) - sentAt) : null,
    repeated_steps: repeats,
  };
}
