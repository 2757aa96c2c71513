/**
 * The stepflare half of the bench: starts the dev server and the SDK app, syncs the app, then
 * measures event-to-first-step latency, per-step overhead and ingestion throughput here, and
 * sleep lateness, the concurrency limit, throttle accuracy, the load run (D1 statements per
 * event, run and step; sustained runs/s) and waitForEvent resume latency in
 * their own modules, all against the same server.
 * @module
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, symlinkSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { startApp } from "./app.mjs";
import { checkpointFloors } from "./checkpoint-floors.mjs";
import { concurrencyLimit } from "./concurrency.mjs";
import { DRAIN_TIMEOUT_MS, EVENTS, POLL_INTERVAL_MS, RUN_TIMEOUT_MS, STARTUP_TIMEOUT_MS } from "./config.mjs";
import { addOnce, EVENT_PATH, sendEvent } from "./events.mjs";
import { createClient, runPool } from "./http.mjs";
import { loadRun } from "./load.mjs";
import { withPhases } from "./phases.mjs";
import { withGroupCpu } from "./group-cpu.mjs";
import { freePort, offlineEnv, startNode, stop, waitForHealthy } from "./processes.mjs";
import { sleepLateness } from "./sleep-lateness.mjs";
import { msPerStep, round, summarize } from "./stats.mjs";
import { throttleAccuracy } from "./throttle.mjs";
import { waitResume } from "./wait-resume.mjs";

const REPO = fileURLToPath(new URL("../..", import.meta.url));
/** What `scripts/dev.mjs` needs to build and serve the Worker; node_modules is linked, not copied. */
const SERVER_SOURCES = ["src", "durable-objects", "migrations", "scripts", "wrangler.toml", "package.json", "tsconfig.json"];

/**
 * Copy the server's sources into `dir` and resolve to the dev script there. `wrangler dev`
 * rebuilds and restarts the Worker whenever a source file changes, failing the runs in flight;
 * a copy taken at the start keeps edits made in the working tree while the bench runs (by
 * anyone) from restarting the server under measurement.
 */
export function snapshotSources(dir) {
  mkdirSync(dir, { recursive: true });
  for (const entry of SERVER_SOURCES) cpSync(path.join(REPO, entry), path.join(dir, entry), { recursive: true });
  symlinkSync(path.join(REPO, "node_modules"), path.join(dir, "node_modules"), "dir");
  return path.join(dir, "scripts/dev.mjs");
}

/** The commit the sources were copied at and how many of their files differed from it; null without git. */
function sourceState() {
  // Read-only: GIT_OPTIONAL_LOCKS=0 keeps `git status` from refreshing the index.
  const git = (...args) =>
    execFileSync("git", args, { cwd: REPO, env: { ...process.env, GIT_OPTIONAL_LOCKS: "0" }, stdio: ["ignore", "pipe", "ignore"] })
      .toString()
      .trim();
  try {
    const changed = git("status", "--porcelain", "--", ...SERVER_SOURCES.filter((e) => e !== "scripts"));
    return { commit: git("rev-parse", "--short", "HEAD"), uncommitted_files: changed ? changed.split("\n").length : 0 };
  } catch {
    return null;
  }
}
/** Server phases each section reports (src/metering/phase-timing.ts names them). */
const FIRST_STEP_PHASES = ["ingest.", "routing.", "run."];
const STEP_PHASES = ["checkpoint."];
const INGEST_PHASES = ["ingest."];

/** Once the app has seen a run return, how long the runs API gets to show it Completed. */
const COMPLETION_GRACE_MS = 5_000;
const FAILED = new Set(["Failed", "Cancelled"]);

/**
 * Run the stepflare measurements whose section (config.mjs SECTIONS) `selected` accepts. A
 * failing section adds to `problems` and leaves its figures out, so one broken feature does not
 * hide the others.
 */
export async function benchStepflare({ work, sourceDir, persistDir, logDir, problems, selected = () => true }) {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const source = sourceState();
  const devScript = snapshotSources(sourceDir);
  // The D1 meter (src/metering/d1-meter.ts) is on for the whole bench: the load run reads it;
  // for the other sections it only counts. So is phase timing (src/metering/phase-timing.ts):
  // the steps and ingestion sections report where their milliseconds go. No discovery or polling:
  // the server measured serves the bench's app and nothing else on the machine.
  const serverArgs = [
    "--port",
    String(port),
    "--persist-to",
    persistDir,
    "--var",
    "STEPFLARE_COUNT_D1:true",
    "--var",
    "STEPFLARE_TIME_PHASES:true",
    "--no-discovery",
    "--no-poll",
  ];
  const server = startNode("stepflare dev server", devScript, serverArgs, {
    cwd: sourceDir,
    env: offlineEnv(),
    logPath: path.join(logDir, "stepflare.log"),
  });
  const client = createClient(origin, work.singleConcurrency);
  let app = null;
  const results = { source };
  try {
    await waitForHealthy(server, `${origin}/health`, STARTUP_TIMEOUT_MS);
    app = await startApp(origin, path.join(logDir, "app.log"));
    results.sync = await syncApp(client, app.url);
    const bench = { client, app, problems, seq: 0, serverGroup: server.child.pid };

    const runsWork = await section(problems, "warm-up runs", () => warmUp(bench, work));
    if (runsWork && selected("steps")) {
      const firstStep = await section(problems, "event-to-first-step latency", () =>
        withPhases(client, FIRST_STEP_PHASES, () => firstStepLatency(bench, work)),
      );
      results.first_step_latency_ms = firstStep?.result.latency;
      results.first_step_breakdown = firstStep && { app_ms: firstStep.result.app, server_phases: firstStep.phases };
      const tenSteps = await section(problems, "10-step runs", () => withPhases(client, STEP_PHASES, () => tenStepRuns(bench, work)));
      Object.assign(results, tenSteps?.result);
      if (tenSteps) results.step_breakdown = { checkpoint_rtt_ms: tenSteps.result.checkpoint_rtt_ms, server_phases: tenSteps.phases };
      const floors = tenSteps && (await section(problems, "checkpoint floors", () => checkpointFloors(origin, work.floorProbes)));
      if (floors) results.step_breakdown.floors = floors;
    }
    if (selected("ingestion")) {
      const health = await section(problems, "GET /health baseline", () => healthBaseline(bench, work));
      const single = await section(problems, "single-event ingestion", () => withPhases(client, INGEST_PHASES, () => ingestSingle(bench, work, runsWork)));
      const batched = await section(problems, "batched ingestion", () => withPhases(client, INGEST_PHASES, () => ingestBatched(bench, work, runsWork)));
      results.ingestion = { ...health, ...single?.result, ...batched?.result };
      results.ingestion_breakdown = { single_phases: single?.phases ?? null, batched_phases: batched?.phases ?? null };
    }
    // Each of these leaves no run behind but `wait`, which leaves thousands waiting: it goes last.
    const timed = [
      ["sleep", "sleep_lateness", sleepLateness],
      ["concurrency", "concurrency", concurrencyLimit],
      ["throttle", "throttle", throttleAccuracy],
      ["load", "load", loadRun],
      ["wait", "wait_resume", waitResume],
    ];
    for (const [name, key, measure] of timed) {
      if (!runsWork || !selected(name)) continue;
      console.error(`bench: stepflare ${name}…`);
      results[key] = await section(problems, name, () => measure(bench, work));
    }
  } catch (error) {
    problems.push(`stepflare: ${error.message}`);
  } finally {
    client.close();
    await app?.stop();
    await stop(server);
  }
  return results;
}

/** Await `fn`, turning a throw into a problem named after the section and an undefined result. */
async function section(problems, name, fn) {
  try {
    return await fn();
  } catch (error) {
    problems.push(`stepflare ${name}: ${error.message}`);
    return undefined;
  }
}

/**
 * Sync the app through the server's sync API, or else by sending PUT to the app, which makes
 * the SDK register itself (POST /fn/register); resolves to the way that worked.
 */
async function syncApp(client, appUrl) {
  const viaServer = await client.post("/v0/apps/sync", { url: appUrl });
  if (viaServer.status >= 200 && viaServer.status < 300) return "POST /v0/apps/sync";
  const viaApp = await fetch(appUrl, { method: "PUT", signal: AbortSignal.timeout(30_000) });
  const text = await viaApp.text();
  if (viaApp.ok) return `PUT app URL (POST /v0/apps/sync answered ${viaServer.status})`;
  throw new Error(`sync failed: POST /v0/apps/sync ${viaServer.status} ${viaServer.text}; PUT app ${viaApp.status} ${text}`);
}

/** Status of the (first) run an event started, or undefined before the run is visible. */
async function runStatus(client, eventId) {
  const response = await client.get(`/v1/events/${eventId}/runs`);
  return response.status === 200 ? response.json?.data?.[0]?.status : undefined;
}

/** A few untimed runs of each function; resolves to true, or throws if runs do not work. */
async function warmUp(bench, work) {
  for (let i = 0; i < work.warmupRuns; i++) {
    await firstStepOnce(bench);
    await tenStepRunOnce(bench);
  }
  return true;
}

/** Milliseconds from sending a `bench/first-step` event to its first step's code running. */
async function firstStepOnce(bench, timeoutMs = RUN_TIMEOUT_MS) {
  return (await firstStepReport(bench, timeoutMs)).latencyMs;
}

/** The app's report of a first step: `latencyMs` (event sent → step code) and `appMs` (the server's call reaching the app → step code). */
async function firstStepReport(bench, timeoutMs = RUN_TIMEOUT_MS) {
  const n = ++bench.seq;
  const sentAt = Date.now();
  await sendEvent(bench.client, EVENTS.firstStep, { seq: n, sentAt });
  const report = await bench.app.report("first-step", n, timeoutMs);
  if (!report) throw new Error(`the first step of run ${n} did not run within ${timeoutMs} ms`);
  return report;
}

async function firstStepLatency(bench, work) {
  const latencies = [];
  const appTimes = [];
  for (let i = 0; i < work.latencyEvents; i++) {
    const report = await firstStepReport(bench);
    latencies.push(report.latencyMs);
    if (report.appMs !== null) appTimes.push(report.appMs);
    await sleep(work.latencyGapMs);
  }
  return { latency: summarize(latencies), app: summarize(appTimes) };
}

/**
 * Send one `bench/ten-steps` event and poll its run until the runs API shows it Completed, as
 * the Workflows half polls its instances; resolves to the start times of its steps and the
 * time from sending to the function returning, both as the app reported them. A run that
 * returned but never shows Completed is reported as a problem, not a failure, so the step
 * timings still count.
 */
async function tenStepRunOnce(bench) {
  const { client, app, problems } = bench;
  const n = ++bench.seq;
  const sentAt = Date.now();
  const eventId = await sendEvent(client, EVENTS.tenSteps, { seq: n });
  let report = null;
  app.report("ten-steps", n, RUN_TIMEOUT_MS).then((r) => (report = r));
  while (Date.now() - sentAt < RUN_TIMEOUT_MS) {
    await sleep(POLL_INTERVAL_MS);
    const status = await runStatus(client, eventId);
    if (FAILED.has(status)) throw new Error(`run for event ${eventId} ended ${status}`);
    if (!report) continue;
    const result = { startedAt: report.startedAt, totalMs: report.finishedAt - sentAt };
    if (status === "Completed") return result;
    if (Date.now() - report.finishedAt > COMPLETION_GRACE_MS) {
      addOnce(problems, `stepflare: GET /v1/events/:id/runs still said ${status} ${COMPLETION_GRACE_MS} ms after the function returned`);
      return result;
    }
  }
  throw new Error(`run for event ${eventId} did not finish within ${RUN_TIMEOUT_MS} ms`);
}

async function tenStepRuns(bench, work) {
  const perStep = [];
  const totals = [];
  await bench.app.takeCalls();
  for (let i = 0; i < work.tenStepRuns; i++) {
    const { startedAt, totalMs } = await tenStepRunOnce(bench);
    perStep.push(msPerStep(startedAt));
    totals.push(totalMs);
  }
  const calls = await bench.app.takeCalls();
  const { checkpoints } = calls;
  return {
    per_step_ms: summarize(perStep),
    run_total_ms: summarize(totals),
    app_calls: { per_run: round(calls.count / work.tenStepRuns), mean_ms: round(calls.ms / calls.count) },
    checkpoint_rtt_ms: checkpoints?.count ? { n: checkpoints.count, mean: round(checkpoints.ms / checkpoints.count) } : null,
  };
}

function ingestEvent(i) {
  return { name: EVENTS.ingest, data: { i } };
}

/**
 * Post pre-serialised bodies at `concurrency`; resolves to accepted events/s (events in bodies
 * answered 200 over the wall time) and the failure count. Rejected requests count as failures.
 */
async function postAll(client, bodies, eventsPerBody, concurrency) {
  let firstFailure = null;
  const startedAt = Date.now();
  const started = performance.now();
  const failures = await runPool(bodies.length, concurrency, async (i) => {
    const response = await client.post(EVENT_PATH, bodies[i]);
    if (response.status !== 200) {
      firstFailure ??= `${response.status} ${response.text.slice(0, 200)}`;
      throw new Error(firstFailure);
    }
  });
  const seconds = (performance.now() - started) / 1000;
  return { eps: ((bodies.length - failures) * eventsPerBody) / seconds, failures, firstFailure, startedAt };
}

/**
 * After a burst, time until an event sent behind it starts its run: the rate at which the
 * event queue consumer works through the burst, in events/s from the burst's start.
 */
async function drainRate(bench, events, burstStartedAt) {
  await firstStepOnce(bench, DRAIN_TIMEOUT_MS);
  return round(events / ((Date.now() - burstStartedAt) / 1000));
}

/**
 * Requests/s for `GET /health` at the single-event concurrency: what the dev server stack
 * (wrangler's proxy, workerd, routing) allows before any ingestion work, to read the
 * ingestion figures against.
 */
async function healthBaseline(bench, work) {
  const count = work.singleEvents;
  const started = performance.now();
  const { result: failures, msPerUnit } = await withGroupCpu(bench.serverGroup, count, () =>
    runPool(count, work.singleConcurrency, async () => {
      const response = await bench.client.get("/health");
      if (response.status !== 200) throw new Error(`GET /health: ${response.status}`);
    }),
  );
  if (failures) throw new Error(`${failures} of ${count} GET /health requests failed`);
  return { health_rps: round(count / ((performance.now() - started) / 1000)), health_server_cpu_ms_per_request: msPerUnit };
}

async function ingestSingle(bench, work, runsWork) {
  // Untimed first: opens the connections and warms the ingest path's code. Its events are still
  // in the queue during the timed burst, so the drain rate counts them, from their start.
  const warmup = Array.from({ length: work.ingestWarmupEvents }, (_, i) => JSON.stringify(ingestEvent(i)));
  const warm = await postAll(bench.client, warmup, 1, work.singleConcurrency);
  const bodies = Array.from({ length: work.singleEvents }, (_, i) => JSON.stringify(ingestEvent(i)));
  const { result: sent, msPerUnit } = await withGroupCpu(bench.serverGroup, bodies.length, () => postAll(bench.client, bodies, 1, work.singleConcurrency));
  if (sent.failures) bench.problems.push(`stepflare single-event ingestion: ${sent.failures} requests failed, first: ${sent.firstFailure}`);
  const queued = work.ingestWarmupEvents + work.singleEvents;
  return {
    single_eps: round(sent.eps),
    single_failed_requests: sent.failures,
    single_server_cpu_ms_per_request: msPerUnit,
    single_drained_eps: runsWork ? await drainRate(bench, queued, warm.startedAt) : null,
  };
}

async function ingestBatched(bench, work, runsWork) {
  const bodies = Array.from({ length: work.batchRequests }, (_, r) =>
    JSON.stringify(Array.from({ length: work.batchSize }, (_, i) => ingestEvent(r * work.batchSize + i))),
  );
  const { result: sent, msPerUnit } = await withGroupCpu(bench.serverGroup, work.batchRequests * work.batchSize, () =>
    postAll(bench.client, bodies, work.batchSize, work.batchConcurrency),
  );
  if (sent.failures) bench.problems.push(`stepflare batched ingestion: ${sent.failures} requests failed, first: ${sent.firstFailure}`);
  const events = work.batchRequests * work.batchSize;
  return {
    batched_eps: round(sent.eps),
    batched_failed_requests: sent.failures,
    batched_server_cpu_ms_per_event: msPerUnit,
    batched_drained_eps: runsWork ? await drainRate(bench, events, sent.startedAt) : null,
  };
}
