import { ROUTE_RESUME_CONCURRENCY } from "../constants";
import type { Env } from "../env";
import { toSdkEvent, type StoredEvent } from "../ingest/event";
import type { Memo } from "../runner/transition";
import { mapLimit } from "../util/map-limit";
import { findPauseMatches } from "./match-pauses";
import { deletePauses } from "./pause";

/**
 * The memo a parent's `step.invoke` gets from its child's `inngest/function.finished` event. A
 * result too large for the event was left out of it (`_inngest.omitted.result`): it is read from
 * the child run, which keeps it.
 */
export async function invokeResultMemo(env: Env, finished: StoredEvent): Promise<Memo> {
  const { error, result, run_id: runId, _inngest: meta } = finished.data as {
    error?: unknown;
    result?: unknown;
    run_id?: unknown;
    _inngest?: { omitted?: { result?: number } };
  };
  if (error !== undefined && error !== null) return { error: error as { name: string; message: string } };
  if (meta?.omitted?.result === undefined || typeof runId !== "string") return { data: result ?? null };
  const stored = await env.RUNS.getByName(runId).result();
  const { output } = (stored === null ? {} : JSON.parse(stored)) as { output?: unknown };
  return { data: output ?? null };
}

/**
 * Delivers incoming events to the runs paused on them: a `waitForEvent` step gets the whole
 * event, a `step.invoke` its child's result, and a `cancelOn` listener cancels its run. Each
 * resume is idempotent in the run, so a redelivered batch resumes nothing twice. Returns the
 * error of each event (by internal id) some run could not be resumed for; their pauses stay, so
 * delivering the event again resumes them.
 */
export async function resumePausedRuns(env: Env, events: StoredEvent[], now: number): Promise<Map<string, unknown>> {
  const failures = new Map<string, unknown>();
  const matches = await findPauseMatches(env.DB, events, now);
  if (matches.length === 0) return failures;
  const delivered = await mapLimit(matches, ROUTE_RESUME_CONCURRENCY, async ({ pause, event }) => {
    try {
      const run = env.RUNS.getByName(pause.run_id);
      if (pause.kind === "cancel") await run.cancel();
      else await run.resume(pause.step_id!, pause.kind === "wait" ? toSdkEvent(event) : await invokeResultMemo(env, event));
      return pause;
    } catch (err) {
      failures.set(event.internalId, err);
      return null;
    }
  });
  // Cancellation listeners go when their run ends; a resumed wait's pause goes now.
  const done = delivered.filter((pause) => pause !== null && pause.kind !== "cancel");
  await deletePauses(env.DB, done.map((pause) => pause!.id));
  return failures;
}
