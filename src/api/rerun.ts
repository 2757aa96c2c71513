/**
 * Reruns and invokes from the dashboard and API: a new run of a function for an event that is
 * already stored, or for a payload given now.
 * @module
 */
import { ulid } from "ulid";
import type { Env } from "../env";
import { emitEvents } from "../ingest/emit-events";
import { storedEventSchema } from "../ingest/event";
import { findEvent } from "../history/events";
import { findRun, recordRerun } from "../history/runs";
import { recordQueuedRuns } from "../history/record-runs";
import { buildRunStart } from "../routing/admit";
import { findFunction } from "../sync/store";

/** Why a rerun could not start, with the HTTP status that says so. */
export type RerunOutcome = { ok: true; runId: string } | { ok: false; status: 404 | 409; error: string };

/**
 * Starts a new run of `runId`'s function for the same trigger event, with the function's current
 * configuration and code. With `fromStep` (a hashed step id) the steps completed before it are
 * replayed from the original run's memos instead of running again; without it, every step runs.
 * A rerun is a deliberate manual action, so it is not subject to singleton or throttle admission.
 */
export async function rerunRun(env: Env, runId: string, fromStep: string | undefined, now: number): Promise<RerunOutcome> {
  const original = await findRun(env.DB, runId);
  if (!original) return { ok: false, status: 404, error: `run ${runId} not found` };
  const [fn, eventRow] = await Promise.all([findFunction(env.DB, original.function_id), findEvent(env.DB, original.event_id)]);
  if (!fn) return { ok: false, status: 409, error: `function ${original.function_id} is no longer synced; sync its app first` };
  if (!eventRow) return { ok: false, status: 409, error: `the event that triggered run ${runId} is no longer stored` };
  const event = storedEventSchema.parse(JSON.parse(eventRow.data));
  const seed = fromStep === undefined ? undefined : await env.RUNS.getByName(runId).rerunSeed(fromStep);
  const newRunId = ulid(now);
  await env.RUNS.getByName(newRunId).start(buildRunStart(fn, [event], now, { runId: newRunId, startAt: now, seed }));
  await env.DB.batch([
    recordQueuedRuns(env.DB, [{ runId: newRunId, functionId: fn.id, appId: fn.appId, eventId: original.event_id }], now),
    recordRerun(env.DB, { run_id: newRunId, rerun_of: runId, from_step: fromStep ?? null, created_at: now }),
  ]);
  return { ok: true, runId: newRunId };
}

/**
 * Invokes function `functionId` with `data`, as `step.invoke` and Inngest's "Invoke" button do:
 * an `inngest/function.invoked` event routed to that function alone. Returns the event's id, or
 * null when no such function is synced.
 */
export async function invokeFunction(env: Env, functionId: string, data: Record<string, unknown>, now: number): Promise<string | null> {
  if (!(await findFunction(env.DB, functionId))) return null;
  const [eventId] = await emitEvents(
    env,
    [{ name: "inngest/function.invoked", data, ts: now, key: `invoke:${functionId}:${crypto.randomUUID()}`, target: functionId }],
    now,
  );
  return eventId!;
}
