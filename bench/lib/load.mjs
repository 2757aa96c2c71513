/**
 * The load run (issue 9): `loadRuns` runs of a LOAD_STEPS-step function, triggered in requests
 * of LOAD_BATCH events, LOAD_CONCURRENCY requests at once. Reports sustained events/s (accepted
 * by `POST /e/:key`) and runs/s (first send → last run returned), and the D1 statements the
 * server sent on each hot path, per event ingested, per run started and per step completed,
 * from the server's D1 meter (`STEPFLARE_COUNT_D1=true`, read at `/_bench/d1`). Target: 0.
 * @module
 */
import { performance } from "node:perf_hooks";
import { EVENTS, LOAD_BATCH, LOAD_CONCURRENCY, LOAD_QUIET_MS, LOAD_QUIET_TIMEOUT_MS, LOAD_STEPS } from "./config.mjs";
import { explainMissing, pollUntil, sendEvents, waitForQuiet } from "./events.mjs";
import { runPool } from "./http.mjs";
import { round } from "./stats.mjs";

const COUNTS_PATH = "/_bench/d1";

export async function loadRun(bench, work) {
  const { client, app, problems } = bench;
  const runs = work.loadRuns;
  const seqs = Array.from({ length: runs }, () => ++bench.seq);
  const ours = new Set(seqs);
  const done = () => app.reportsOf("load-done").filter((r) => ours.has(r.seq));

  // Earlier sections' runs must be over, or their D1 work would be counted against this one.
  if (!(await waitForQuiet(app, LOAD_QUIET_MS, LOAD_QUIET_TIMEOUT_MS)))
    problems.push("stepflare load: the server was still calling the app when the load run began");
  await expectOk(client.post(`${COUNTS_PATH}/reset`, {}), "reset the D1 meter");

  const startedAt = Date.now();
  const started = performance.now();
  const batches = [];
  for (let i = 0; i < seqs.length; i += LOAD_BATCH) batches.push(seqs.slice(i, i + LOAD_BATCH));
  const eventIds = new Map();
  let firstFailure = null;
  const failures = await runPool(batches.length, LOAD_CONCURRENCY, async (b) => {
    try {
      const ids = await sendEvents(
        client,
        batches[b].map((seq) => ({ name: EVENTS.load, data: { seq } })),
      );
      batches[b].forEach((seq, i) => eventIds.set(seq, ids[i]));
    } catch (error) {
      firstFailure ??= error.message;
      throw error;
    }
  });
  const ingestSeconds = (performance.now() - started) / 1000;
  if (failures) problems.push(`stepflare load: ${failures} of ${batches.length} event requests failed, first: ${firstFailure}`);
  const accepted = eventIds.size;

  const allDone = await pollUntil(() => done().length >= accepted, work.loadTimeoutMs, 250);
  const finished = done();
  if (!allDone) {
    const seen = new Set(finished.map((r) => r.seq));
    const missing = [...eventIds].filter(([seq]) => !seen.has(seq)).map(([, id]) => id);
    problems.push(
      `stepflare load: ${missing.length} of ${accepted} runs did not return within ${work.loadTimeoutMs / 1000} s; ${await explainMissing(client, missing)}`,
    );
  }
  const lastDoneAt = Math.max(...finished.map((r) => r.at));
  // The runs' last writes (history, end events) follow their last call: wait for quiet first.
  await waitForQuiet(app, LOAD_QUIET_MS, LOAD_QUIET_TIMEOUT_MS);
  const counts = (await expectOk(client.get(COUNTS_PATH), "read the D1 meter")).json.paths;

  const completed = finished.length;
  const statements = (path) => counts[path]?.statements ?? 0;
  const per = (value, unit) => (unit > 0 ? round(value / unit, 3) : null);
  return {
    runs,
    steps_per_run: LOAD_STEPS,
    events_accepted: accepted,
    runs_completed: completed,
    ingest_events_per_s: round(accepted / ingestSeconds),
    runs_per_s: completed ? round(completed / ((lastDoneAt - startedAt) / 1000)) : null,
    seconds: round((lastDoneAt - startedAt) / 1000),
    d1_statements: {
      per_event_ingested: per(statements("ingest"), accepted),
      // The consumer routes each run's `inngest/function.finished` as well as the events sent.
      routing_per_event: per(statements("routing"), accepted + completed),
      per_run_started: per(statements("run_start"), completed),
      per_step_completed: per(statements("step"), completed * LOAD_STEPS),
      hot_path_per_run: per(
        ["ingest", "routing", "run_start", "step"].reduce((sum, p) => sum + statements(p), 0),
        completed,
      ),
    },
    // Everything the meter saw, hot path or not (the heartbeat, flow control, the API).
    d1_by_path: counts,
  };
}

async function expectOk(request, what) {
  const response = await request;
  if (response.status !== 200) {
    throw new Error(`could not ${what}: ${response.status} ${response.text.slice(0, 200)} (is the server started with STEPFLARE_COUNT_D1=true?)`);
  }
  return response;
}
