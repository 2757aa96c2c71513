/**
 * Workload sizes and limits for `npm run bench`, in one place. `--quick` shrinks the workload
 * for a smoke run; the published figures come from the full one.
 * @module
 */

/** Steps in the per-step function; the Workflow in bench/workflow/index.ts has the same count. */
export const STEP_COUNT = 10;
/**
 * A Workflow instance is first polled this long after it is created, then every
 * POLL_INTERVAL_MS. Polling while the steps run slows the local Workflows engine measurably
 * (its status() reads the instance's whole log, in the object running the steps), which would
 * flatter the ratio; 500 ms is several times a whole 10-step run.
 */
export const FIRST_POLL_DELAY_MS = 500;
/** Interval between status polls once a run is probably finished (see FIRST_POLL_DELAY_MS). */
export const POLL_INTERVAL_MS = 100;
/** Longest wait for one run (or Workflow instance) to finish; functions have no retries. */
export const RUN_TIMEOUT_MS = 30_000;
/** Longest wait for a dev server to answer /health (it may apply migrations first). */
export const STARTUP_TIMEOUT_MS = 120_000;
/** Longest wait for the event queue to work through an ingestion burst. */
export const DRAIN_TIMEOUT_MS = 120_000;
/**
 * The whole bench, servers included, is killed after this long plus the time allowed for bringing
 * runs to a waitForEvent (`waitFillTimeoutMs`) and for the load run (`loadTimeoutMs`). Without
 * those two the full run takes about 5 minutes on a 2-core machine.
 */
export const OVERALL_TIMEOUT_MS = 40 * 60_000;
/** Event key used in `/e/:key`; the dev server accepts any key. */
export const EVENT_KEY = "bench";

/** Event names; nothing listens to INGEST_EVENT so ingestion starts no runs. */
export const EVENTS = {
  firstStep: "bench/first-step",
  tenSteps: "bench/ten-steps",
  ingest: "bench/ingest",
  waitStart: "bench/wait-start",
  waitResume: "bench/resume",
  sleep: "bench/sleep",
  concurrencyLimited: "bench/concurrency-limited",
  concurrencyUnlimited: "bench/concurrency-unlimited",
  throttle: "bench/throttle",
  load: "bench/load",
};

/** Sections `--only <name>` accepts, in the order they run (`wait` last: it leaves runs waiting). */
export const SECTIONS = ["workflows", "steps", "local", "ingestion", "sleep", "concurrency", "throttle", "load", "wait"];
/** Sections `--only local` runs too, so that the in-process figures sit beside `http` and Workflows. */
export const LOCAL_COMPANIONS = ["workflows", "steps"];

/** The sleep every run of the sleep function takes; lateness is measured against it. */
export const SLEEP_MS = 1_000;
/** Target from issue 3: p95 wake-up lateness under this. */
export const SLEEP_P95_TARGET_MS = 500;
/** Longest the bench waits for every sleeping run to wake, beyond the sleep itself. */
export const SLEEP_WAKE_TIMEOUT_MS = 60_000;

/** Steps in the concurrency function, and how long each one's code runs (an async wait). */
export const CONCURRENCY_STEPS = 3;
export const CONCURRENCY_STEP_MS = 20;
/** `concurrency` of the limited function; the bench app declares the same number. */
export const CONCURRENCY_LIMIT = 10;
/** Longest wait for one batch of concurrency runs (limited or not) to finish. */
export const CONCURRENCY_TIMEOUT_MS = 300_000;

/**
 * `throttle: { limit: THROTTLE_LIMIT, period: "1s" }`. 20 rather than 10, so that one run
 * landing in the neighbouring 1-s bucket (a start a few ms late at a bucket edge) is 5%, not 10%.
 */
export const THROTTLE_LIMIT = 20;
export const THROTTLE_PERIOD_MS = 1_000;
/**
 * The feed: THROTTLE_BURST_PERIODS × the limit at once, so a backlog exists from the start, then
 * THROTTLE_FEED_FACTOR × the limit per period, so it keeps growing slowly and the throttle, not
 * the feed, is what limits starts throughout.
 */
export const THROTTLE_BURST_PERIODS = 2;
export const THROTTLE_FEED_FACTOR = 1.1;
/** The feed sends what is owed by then in one request, then waits this long before the next. */
export const THROTTLE_FEED_TICK_MS = 100;
/** Target from issue 4: every period within this fraction of the limit. */
export const THROTTLE_TOLERANCE = 0.05;

/**
 * The waitForEvent function's timeout; long enough that no wait times out during a bench. The
 * fill alone may take WAIT_FULL_RUNS × WAIT_FILL_MS_PER_RUN (100 minutes): with a shorter timeout
 * the first runs' waits would end while later ones are still being brought to theirs, so fewer
 * runs would be waiting at once than the bench reports, and resumes sent to them would be lost.
 */
export const WAIT_TIMEOUT = "3h";
/** Target from issue 3: resume p50 with many runs waiting at most this multiple of one run waiting. */
export const WAIT_RATIO_TARGET = 2;
/**
 * After the app saw a run reach its waitForEvent, the server still has to store the pause
 * (after the SDK's answer arrives). An event sent before that would be missed, as in Inngest, so
 * the resume is only sent this long after the wait was reached and the server went quiet.
 */
export const WAIT_SETTLE_MS = 500;
/** Longest wait for one run to reach its waitForEvent, and for one resume to arrive. */
export const WAIT_STEP_TIMEOUT_MS = 15_000;
/** Trigger events per request when bringing many runs to a wait (issue: batches of 100–500). */
export const WAIT_FILL_BATCH = 250;
/** At most this many runs started but not yet waiting, so a timed-out fill leaves little in flight. */
export const WAIT_FILL_IN_FLIGHT = 1_000;
/**
 * Runs waiting on one event name in the full bench: the figure of issue 9 (resume p50 with
 * 100,000 waiting within 2× of one waiting). `--waiting <N>` sets another count.
 */
export const WAIT_FULL_RUNS = 100_000;
/**
 * Time allowed per run when bringing `waitingRuns` to the wait, at least WAIT_FILL_MIN_MS: 16.7 runs/s.
 * A 2-core machine brought 20–35 runs/s to the wait, each run a new run object and a new wait
 * shard (the dev server's one thread, busy or waiting on disk); 30 ms per run cut a fill off at
 * 82,500 of 100,000 on a busy machine.
 */
export const WAIT_FILL_MS_PER_RUN = 60;
/** The least time allowed for bringing runs to the wait. */
export const WAIT_FILL_MIN_MS = 5 * 60_000;

/** Steps in the load run's function (issue 9: a 3-step function). */
export const LOAD_STEPS = 3;
/** Runs in the full load run; `STEPFLARE_BENCH_LOAD_RUNS` sets another count (e.g. 200 for a try). */
export const LOAD_RUNS = 10_000;
/** Trigger events per request in the load run, and requests in flight at once. */
export const LOAD_BATCH = 100;
export const LOAD_CONCURRENCY = 8;
/**
 * Longest wait for every run of the load run to return: LOAD_MS_PER_RUN per run, at least
 * LOAD_TIMEOUT_MS. On a shared 2-core machine 10,000 runs went at 10–25 runs/s; the allowance
 * (about 6.7 runs/s) leaves room for a busier machine.
 */
export const LOAD_TIMEOUT_MS = 10 * 60_000;
export const LOAD_MS_PER_RUN = 150;
/**
 * After the last run returned, how long the app must see no call (and so the runs' last history
 * writes are done) before the D1 counts are read, and the longest that wait may take.
 */
export const LOAD_QUIET_MS = 2_000;
export const LOAD_QUIET_TIMEOUT_MS = 60_000;

/** The load run's size: STEPFLARE_BENCH_LOAD_RUNS if set, else LOAD_RUNS (a tenth with --quick). */
function loadRuns(quick) {
  const configured = process.env.STEPFLARE_BENCH_LOAD_RUNS;
  if (configured === undefined || configured === "") return quick ? LOAD_RUNS / 10 : LOAD_RUNS;
  const n = Number(configured);
  if (!Number.isInteger(n) || n < 1) throw new Error(`STEPFLARE_BENCH_LOAD_RUNS must be a positive integer, not "${configured}"`);
  return n;
}

/** How many of each measurement to take; `waiting` (from `--waiting`) overrides the runs brought to a wait. */
export function workload(quick, waiting) {
  const waitingRuns = waiting ?? (quick ? 1_000 : WAIT_FULL_RUNS);
  return {
    warmupRuns: quick ? 1 : 3,
    latencyEvents: quick ? 10 : 50,
    latencyGapMs: 20,
    tenStepRuns: quick ? 5 : 30,
    // Requests of each kind timing the floors under a checkpoint (checkpoint-floors.mjs).
    floorProbes: quick ? 100 : 300,
    workflowInstances: quick ? 5 : 30,
    ingestWarmupEvents: quick ? 50 : 200,
    singleEvents: quick ? 1_000 : 5_000,
    singleConcurrency: 32,
    batchRequests: quick ? 20 : 100,
    batchSize: 100,
    // Fewer connections for batches: each request is already 100 events of work.
    batchConcurrency: 8,
    sleepRuns: quick ? 50 : 200,
    concurrencyRuns: quick ? 200 : 1_000,
    throttleSeconds: quick ? 10 : 30,
    // Resumes timed with one run waiting, and with `waitingRuns` waiting on distinct keys.
    waitResumes: quick ? 10 : 30,
    waitingRuns,
    // How long bringing `waitingRuns` to the wait may take; the largest count reached is used
    // if it runs out.
    waitFillTimeoutMs: quick ? 60_000 : Math.max(WAIT_FILL_MIN_MS, waitingRuns * WAIT_FILL_MS_PER_RUN),
    // Runs of the LOAD_STEPS-step function in the load run (issue 9), and how long they may take.
    loadRuns: loadRuns(quick),
    loadTimeoutMs: Math.max(LOAD_TIMEOUT_MS, loadRuns(quick) * LOAD_MS_PER_RUN),
  };
}
