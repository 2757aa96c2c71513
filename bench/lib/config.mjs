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
/** The whole bench, servers included, is killed after this long. */
export const OVERALL_TIMEOUT_MS = 10 * 60_000;
/** Event key used in `/e/:key`; the dev server accepts any key. */
export const EVENT_KEY = "bench";

/** Event names; nothing listens to INGEST_EVENT so ingestion starts no runs. */
export const EVENTS = {
  firstStep: "bench/first-step",
  tenSteps: "bench/ten-steps",
  ingest: "bench/ingest",
};

/** How many of each measurement to take. */
export function workload(quick) {
  return {
    warmupRuns: quick ? 1 : 3,
    latencyEvents: quick ? 10 : 50,
    latencyGapMs: 20,
    tenStepRuns: quick ? 5 : 30,
    workflowInstances: quick ? 5 : 30,
    ingestWarmupEvents: quick ? 50 : 200,
    singleEvents: quick ? 1_000 : 5_000,
    singleConcurrency: 32,
    batchRequests: quick ? 20 : 100,
    batchSize: 100,
    // Fewer connections for batches: each request is already 100 events of work.
    batchConcurrency: 8,
  };
}
