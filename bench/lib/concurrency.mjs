/**
 * Concurrency limit under load (issue 4): `concurrencyRuns` runs of a CONCURRENCY_STEPS-step
 * function with `concurrency: CONCURRENCY_LIMIT`, all triggered at once, then the same with no
 * limit. The app stamps the start and end of every step's code; a sweep line over those
 * intervals gives the most steps executing at one moment, which must never exceed the limit.
 * The app's interval sits inside the server's slot lease, so a figure above the limit is the
 * server's doing.
 * @module
 */
import { CONCURRENCY_LIMIT, CONCURRENCY_STEP_MS, CONCURRENCY_STEPS, CONCURRENCY_TIMEOUT_MS, EVENTS } from "./config.mjs";
import { explainMissing, pollUntil, saveSamples, sendEvents } from "./events.mjs";
import { maxOverlap, round } from "./stats.mjs";

/** Trigger events per request. */
const BATCH = 250;

export async function concurrencyLimit(bench, work) {
  const limited = await runAll(bench, work.concurrencyRuns, "concurrency-limited", EVENTS.concurrencyLimited);
  const unlimited = await runAll(bench, work.concurrencyRuns, "concurrency-unlimited", EVENTS.concurrencyUnlimited);
  if (limited.max_executing > CONCURRENCY_LIMIT) {
    bench.problems.push(
      `stepflare concurrency: ${limited.max_executing} steps of the concurrency-${CONCURRENCY_LIMIT} function ` +
        `executed at once (at ${new Date(limited.max_at).toISOString()}); see the app's step intervals`,
    );
  }
  return {
    runs: work.concurrencyRuns,
    steps_per_run: CONCURRENCY_STEPS,
    step_ms: CONCURRENCY_STEP_MS,
    limit: CONCURRENCY_LIMIT,
    limited,
    unlimited,
    throughput_ratio: limited.runs_per_s && unlimited.runs_per_s ? round(limited.runs_per_s / unlimited.runs_per_s) : null,
  };
}

/**
 * Trigger `runs` runs of the function whose steps report as `type` and wait (bounded) for every
 * step; resolves to the most steps seen executing at once, runs/s from the first send to the
 * last step's end, and how many steps were missing or ran twice.
 */
async function runAll(bench, runs, type, eventName) {
  const { client, app, problems } = bench;
  const seqs = Array.from({ length: runs }, () => ++bench.seq);
  const ours = new Set(seqs);
  const expected = runs * CONCURRENCY_STEPS;
  const reports = () => app.reportsOf(type).filter((r) => ours.has(Number(r.seq.split(":")[0])));
  const repeatsBefore = app.repeatsOf(type);

  const sentAt = Date.now();
  const eventIds = [];
  for (let i = 0; i < seqs.length; i += BATCH) {
    eventIds.push(
      ...(await sendEvents(
        client,
        seqs.slice(i, i + BATCH).map((seq) => ({ name: eventName, data: { seq } })),
      )),
    );
  }
  await pollUntil(() => reports().length === expected, CONCURRENCY_TIMEOUT_MS, 200);

  const steps = reports();
  saveSamples(type, { sentAt, steps });
  if (steps.length === 0) throw new Error(`${type}: no step ran within ${CONCURRENCY_TIMEOUT_MS / 1000} s`);
  const finishedRuns = new Set(steps.filter((r) => r.seq.endsWith(`:${CONCURRENCY_STEPS - 1}`)).map((r) => r.seq));
  if (steps.length < expected) {
    const ids = seqs.flatMap((seq, i) => (finishedRuns.has(`${seq}:${CONCURRENCY_STEPS - 1}`) ? [] : [eventIds[i]]));
    problems.push(
      `stepflare ${type}: ${expected - steps.length} of ${expected} steps had not run ` +
        `${CONCURRENCY_TIMEOUT_MS / 1000} s after the events were sent (${finishedRuns.size} of ${runs} runs finished); ` +
        (await explainMissing(client, ids)),
    );
  }
  const repeats = app.repeatsOf(type) - repeatsBefore;
  if (repeats) problems.push(`stepflare ${type}: ${repeats} step executions were repeats of a step that had already run`);

  const lastEnd = Math.max(...steps.map((s) => s.end));
  const seconds = (lastEnd - sentAt) / 1000;
  const busyMs = steps.reduce((sum, s) => sum + (s.end - s.start), 0);
  const peak = maxOverlap(steps);
  return {
    finished_runs: finishedRuns.size,
    max_executing: peak.max,
    max_at: peak.at,
    // Steps executing on average over the whole span: how fully the slots were used.
    mean_executing: round(busyMs / (lastEnd - sentAt)),
    seconds: round(seconds),
    runs_per_s: round(finishedRuns.size / seconds),
    repeated_steps: repeats,
  };
}
