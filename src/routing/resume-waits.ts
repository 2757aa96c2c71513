import { ROUTE_RESUME_CONCURRENCY } from "../constants";
import type { Env } from "../env";
import { toSdkEvent, type StoredEvent } from "../ingest/event";
import type { Memo } from "../runs/transition";
import { mapLimit } from "../util/map-limit";
import { readStoredJson } from "../util/stored-json";
import { storedResultSchema } from "../runs/stored-run-json";
import { findPauseMatches } from "../waits/find-matches";
import { removePauses } from "../waits/register";
import { recordEventEffects } from "../history/record-runs";
import type { EventEffect } from "../runner/history-message";

/**
 * The memo a parent's `step.invoke` gets from its child's `inngest/function.finished` event. A
 * result too large for the event was left out of it (`_inngest.omitted.result`): it is read from
 * the child run, which keeps it.
 */
export async function invokeResultMemo(env: Env, finished: StoredEvent): Promise<Memo> {
  const {
    error,
    result,
    run_id: runId,
    _inngest: meta,
  } = finished.data as {
    error?: unknown;
    result?: unknown;
    run_id?: unknown;
    _inngest?: { omitted?: { result?: number } };
  };
  if (error !== undefined && error !== null) return { error: error as { name: string; message: string } };
  if (meta?.omitted?.result === undefined || typeof runId !== "string") return { data: result ?? null };
  const stored = await env.RUNS.getByName(runId).result();
  const read = stored === null ? null : readStoredJson(storedResultSchema, stored);
  return { data: read?.ok && "output" in read.value ? (read.value.output ?? null) : null };
}

/** What delivering events to paused runs left to do. */
export interface WaitDelivery {
  /** The error of each event (by internal id) some run could not be resumed for. */
  failures: Map<string, unknown>;
  /** Events with more paused runs than this delivery's budget: deliver them again for the rest. */
  unfinished: Set<string>;
}

/**
 * Delivers incoming events to the runs paused on them: a `waitForEvent` step gets the whole
 * event, a `step.invoke` its child's result, and a `cancelOn` listener cancels its run. At most
 * `budget` runs are resumed; events with more are reported `unfinished`. Each resume is
 * idempotent in the run (a step no longer waiting is not resumed again) and each delivered pause
 * is removed from its shard, so delivering an event again resumes only the runs not reached yet;
 * pauses whose run could not be resumed stay, and their events are reported as failures.
 */
export async function resumePausedRuns(env: Env, events: StoredEvent[], now: number, budget: number): Promise<WaitDelivery> {
  if (events.length === 0) return { failures: new Map(), unfinished: new Set() };
  const { matches, unfinished, failures } = await findPauseMatches(env, events, now, budget);
  const delivered = await mapLimit(matches, ROUTE_RESUME_CONCURRENCY, async ({ match, shard, event }) => {
    try {
      const run = env.RUNS.getByName(match.runId);
      if (match.kind === "cancel") await run.cancel();
      else await run.resume(match.stepId!, match.kind === "wait" ? toSdkEvent(event) : await invokeResultMemo(env, event));
      const effect: EventEffect =
        match.kind === "cancel"
          ? { eventId: event.internalId, runId: match.runId, kind: "cancelled", stepId: "" }
          : { eventId: event.internalId, runId: match.runId, kind: "resumed", stepId: match.stepId! };
      return { pause: { id: match.pauseId, shard }, effect };
    } catch (err) {
      failures.set(event.internalId, err);
      return null;
    }
  });
  const done = delivered.flatMap((d) => (d === null ? [] : [d]));
  // Recorded before the pauses go: if this send fails, the delivery is retried and records them.
  await recordEventEffects(
    env.HISTORY,
    done.map((d) => d.effect),
    now,
  );
  // A cancelled run has ended, so its listener is done too (the run's end removes any others).
  await removePauses(
    env,
    done.map((d) => d.pause),
  );
  return { failures, unfinished };
}
