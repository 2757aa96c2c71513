/**
 * The bench's Inngest app: the official SDK served over node:http, reporting to the bench
 * process over IPC the moments its step code runs. Started by bench/lib/app.mjs with
 * INNGEST_DEV pointing at the stepflare dev server and BENCH_APP_PORT set.
 */
import http from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { Inngest } from "inngest";
import { serve } from "inngest/node";
import {
  CONCURRENCY_LIMIT,
  CONCURRENCY_STEP_MS,
  CONCURRENCY_STEPS,
  EVENTS,
  LOAD_STEPS,
  SLEEP_MS,
  STEP_COUNT,
  THROTTLE_LIMIT,
  THROTTLE_PERIOD_MS,
  WAIT_TIMEOUT,
} from "../lib/config.mjs";

const SERVE_PATH = "/api/inngest";
/** The first-step function's id as the server calls it (`fnId` in the call's URL). */
const FIRST_STEP_FN = "stepflare-bench-first-step";
/** Arrival times kept at most: a run whose step never reports leaves one behind. */
const MAX_CALL_ARRIVALS = 1_000;
const port = Number(process.env.BENCH_APP_PORT);

/**
 * The SDK's own requests to the server (its `/v1/checkpoint/:runId/async` reports, one per step),
 * timed from here: the round trip the SDK waits for between one step and the next.
 */
let checkpoints = { count: 0, ms: 0 };
async function timedFetch(input, init) {
  const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
  if (!url.includes("/v1/checkpoint/")) return fetch(input, init);
  const started = performance.now();
  try {
    return await fetch(input, init);
  } finally {
    checkpoints.count++;
    checkpoints.ms += performance.now() - started;
  }
}

/** When the server's latest call for each run reached this app (X-Run-ID), for the first-step breakdown. */
const callArrivals = new Map();

const inngest = new Inngest({ id: "stepflare-bench", fetch: timedFetch });

// No retries: a failing run is a server bug to report, not something to wait out.
const firstStep = inngest.createFunction({ id: "first-step", retries: 0, triggers: [{ event: EVENTS.firstStep }] }, async ({ event, runId, step }) => {
  await step.run("record", () => {
    const now = Date.now();
    const arrivedAt = callArrivals.get(runId);
    callArrivals.delete(runId);
    // The server's part (event sent → its call reached the app) and the SDK's (call → step code).
    const appMs = arrivedAt === undefined ? null : now - arrivedAt;
    process.send({ type: "first-step", seq: event.data.seq, latencyMs: now - event.data.sentAt, appMs });
    return null;
  });
});

const tenSteps = inngest.createFunction({ id: "ten-steps", retries: 0, triggers: [{ event: EVENTS.tenSteps }] }, async ({ event, step }) => {
  const startedAt = [];
  for (let i = 0; i < STEP_COUNT; i++) {
    // Memoised on replay, so each value is the moment that step's code first ran.
    startedAt.push(await step.run(`step-${i}`, () => Date.now()));
  }
  process.send({ type: "ten-steps", seq: event.data.seq, startedAt, finishedAt: Date.now() });
  return { startedAt };
});

/**
 * Code outside `step.run` runs again on every call the server makes (the SDK replays the
 * function), so notes from there are sent once per run: the first time is the call that hands
 * the server the next op, which is what they time.
 */
const noted = new Set();
function noteOnce(type, seq, fields) {
  const key = `${type}:${seq}`;
  if (noted.has(key)) return;
  noted.add(key);
  process.send({ type, seq, ...fields });
}

// A first step, then a wait on `bench/resume` with this run's key; the step after the wait
// reports how long ago the resume event was sent.
const waitResume = inngest.createFunction({ id: "wait-resume", retries: 0, triggers: [{ event: EVENTS.waitStart }] }, async ({ event, step }) => {
  const { seq } = event.data;
  await step.run("before", () => null);
  noteOnce("wait-reached", seq, { at: Date.now() });
  const resume = await step.waitForEvent("w", { event: EVENTS.waitResume, match: "data.key", timeout: WAIT_TIMEOUT });
  await step.run("after", () => {
    process.send({ type: "wait-resumed", seq, at: Date.now(), sentAt: resume?.data?.sentAt ?? null });
    return null;
  });
});

// Sleep start is the first time the code reaches the sleep: no later than the server hears of it.
const sleeper = inngest.createFunction({ id: "sleep", retries: 0, triggers: [{ event: EVENTS.sleep }] }, async ({ event, step }) => {
  const { seq } = event.data;
  noteOnce("sleep-start", seq, { at: Date.now() });
  await step.sleep("nap", SLEEP_MS);
  await step.run("after", () => {
    process.send({ type: "sleep-woke", seq, at: Date.now() });
    return null;
  });
});

/** A function of CONCURRENCY_STEPS steps, each reporting when its code started and ended. */
function stepsFunction(id, event, extra) {
  return inngest.createFunction({ id, retries: 0, triggers: [{ event }], ...extra }, async ({ event: trigger, step }) => {
    for (let i = 0; i < CONCURRENCY_STEPS; i++) {
      await step.run(`step-${i}`, async () => {
        const start = Date.now();
        await sleep(CONCURRENCY_STEP_MS);
        process.send({ type: id, seq: `${trigger.data.seq}:${i}`, start, end: Date.now() });
        return null;
      });
    }
  });
}
const concurrencyLimited = stepsFunction("concurrency-limited", EVENTS.concurrencyLimited, { concurrency: CONCURRENCY_LIMIT });
const concurrencyUnlimited = stepsFunction("concurrency-unlimited", EVENTS.concurrencyUnlimited, {});

const throttled = inngest.createFunction(
  {
    id: "throttled",
    retries: 0,
    triggers: [{ event: EVENTS.throttle }],
    throttle: { limit: THROTTLE_LIMIT, period: `${THROTTLE_PERIOD_MS / 1000}s` },
  },
  async ({ event, step }) => {
    await step.run("start", () => {
      process.send({ type: "throttle-start", seq: event.data.seq, at: Date.now() });
      return null;
    });
  },
);

// The load run's function: LOAD_STEPS no-op steps, then one report when the run returns (the
// code after the last step runs on the call that ends the run; a repeat is dropped by seq).
const load = inngest.createFunction({ id: "load", retries: 0, triggers: [{ event: EVENTS.load }] }, async ({ event, step }) => {
  for (let i = 0; i < LOAD_STEPS; i++) await step.run(`step-${i}`, () => null);
  process.send({ type: "load-done", seq: event.data.seq, at: Date.now() });
});

// An explicit origin and path, so the URL the SDK registers is the one the bench synced.
const handler = serve({
  client: inngest,
  functions: [firstStep, tenSteps, waitResume, sleeper, concurrencyLimited, concurrencyUnlimited, throttled, load],
  serveOrigin: `http://127.0.0.1:${port}`,
  servePath: SERVE_PATH,
});

// Calls the server made to the app and the time the SDK took to answer them, so the bench can
// tell how much of each step's gap is the app's and how much the server's.
let calls = { count: 0, ms: 0 };
process.on("message", (message) => {
  if (message.type !== "calls") return;
  process.send({ type: "calls", seq: message.seq, ...calls, checkpoints });
  calls = { count: 0, ms: 0 };
  checkpoints = { count: 0, ms: 0 };
});

const server = http.createServer((req, res) => {
  if (!req.url?.startsWith(SERVE_PATH)) return res.writeHead(404).end();
  if (req.method === "POST") {
    const runId = req.headers["x-run-id"];
    const firstStep = new URL(req.url, "http://app").searchParams.get("fnId") === FIRST_STEP_FN;
    if (firstStep && typeof runId === "string" && callArrivals.size < MAX_CALL_ARRIVALS) callArrivals.set(runId, Date.now());
    const started = performance.now();
    res.once("finish", () => {
      calls.count++;
      calls.ms += performance.now() - started;
    });
  }
  return handler(req, res);
});
// Node closes a keep-alive connection after 5 s idle by default; the server may pick that
// connection for its next call just as it closes, and the call fails with "Network connection
// lost" (an attempt lost, and with `retries: 0` the run). Apps behind a proxy keep connections
// longer; so does this one, so that the bench measures the server and not that race.
server.keepAliveTimeout = 120_000;
server.headersTimeout = 125_000;
server.listen(port, "127.0.0.1", () => process.send({ type: "ready", seq: 0 }));
