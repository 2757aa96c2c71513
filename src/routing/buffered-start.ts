import type { Env } from "../env";
import type { BufferedStart } from "../flow/flow-state";
import { loadEventsAnywhere } from "../ingest/event-shards";
import { admitRun } from "./admit";
import { recordQueuedRuns } from "../history/record-runs";
import { currentFunctions } from "../sync/registry";

/**
 * Starts the run of a closed debounce window or a full (or timed-out) batch with the buffered
 * events, in order. The run id derives from the first event, so a retried flush starts one run.
 * A function removed since the events were buffered, or events no longer stored, start nothing.
 * Throws when the start could not be made (a Durable Object or D1 failing): the caller keeps the
 * events and retries. The run's `queued` history row is written to D1 in the same step, so a
 * start whose row could not be written is retried (one statement per run, not per event).
 */
export async function flushBuffered(env: Env, start: BufferedStart, internalIds: string[]): Promise<void> {
  // The registry cached in this isolate: D1 is read only after a sync changed the functions.
  const fn = (await currentFunctions(env)).find((f) => f.id === start.functionId);
  if (!fn) {
    console.warn(`stepflare: function "${start.functionId}" was removed; its ${internalIds.length} buffered event(s) start no run`);
    return;
  }
  const events = await loadEventsAnywhere(env, internalIds);
  if (events.length === 0) return;
  const now = Date.now();
  const outcome = await admitRun(env, fn, events, now);
  if (outcome.started) await recordQueuedRuns(env.DB, [outcome.run], now).run();
}
