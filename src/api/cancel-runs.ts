/**
 * Cancelling runs from the API: one run by id, or every active run of a function that started in
 * a time range, optionally narrowed by a CEL expression over the run's trigger event.
 * @module
 */
import type { Env } from "../env";
import { matchesExpression } from "../expressions";
import { storedEventSchema, toSdkEvent } from "../ingest/event";
import { activeRunsBetween, findRun } from "../history/runs";
import type { Keyset } from "../history/where";
import { mapLimit } from "../util/map-limit";
import { BULK_CANCEL_CONCURRENCY, BULK_CANCEL_MAX_EXAMINED, BULK_CANCEL_MAX_RUNS, BULK_CANCEL_PAGE } from "../constants";

/** Asks the run's object to cancel it; false if it had already ended. */
export async function cancelRun(env: Env, runId: string): Promise<boolean> {
  const { cancelled } = await env.RUNS.getByName(runId).cancel();
  return cancelled;
}

/** What cancelling one run by id found: no run, or the run's status and whether this call cancelled it. */
export type CancelById = { found: false } | { found: true; cancelled: boolean; status: string };

/**
 * Cancels one run by id. History is written behind the run (about a second later) and may have
 * refused a run's row, so a run history does not list is asked of its own object: only an object
 * that holds no run means there is none. The caller checks that `runId` is a ULID, so no other
 * name reaches an object; an object asked about a run it does not hold stores nothing.
 */
export async function cancelById(env: Env, runId: string): Promise<CancelById> {
  const listed = await findRun(env.DB, runId);
  const cancelled = await cancelRun(env, runId);
  if (listed) return { found: true, cancelled, status: listed.status };
  if (cancelled) return { found: true, cancelled, status: "cancelled" };
  const held = await env.RUNS.getByName(runId).status();
  return held ? { found: true, cancelled: false, status: held.status } : { found: false };
}

/** Which runs a bulk cancellation targets. */
export interface BulkCancel {
  functionId: string;
  /** Queued at or after (ms). */
  from: number;
  /** Queued strictly before (ms). */
  to: number;
  /** CEL over `event`, the run's trigger event; only runs it matches are cancelled. */
  expression?: string;
  /** Go on after this run (the `cursor` of an earlier answer), oldest first. */
  after?: Keyset;
}

/**
 * What a bulk cancellation did. `complete` is false when it stopped at a per-request limit;
 * `cursor` (the id of the last run it examined) then says where the same request goes on.
 */
export interface BulkCancelResult {
  examined: number;
  matched: number;
  cancelled: number;
  complete: boolean;
  cursor: string | null;
}

/** Whether the stored trigger event satisfies `expression`; a missing event never does. */
function matches(expression: string | undefined, storedEvent: string | null): boolean {
  if (expression === undefined) return true;
  if (storedEvent === null) return false;
  const event = toSdkEvent(storedEventSchema.parse(JSON.parse(storedEvent)));
  return matchesExpression(expression, { event });
}

/**
 * Cancels the matching runs, oldest first, examining at most {@link BULK_CANCEL_MAX_EXAMINED}
 * runs and cancelling at most {@link BULK_CANCEL_MAX_RUNS} per call, so one request's work is
 * bounded however many runs the range holds. The expression must already be validated: an
 * invalid one would simply match nothing.
 */
export async function cancelInBulk(env: Env, target: BulkCancel): Promise<BulkCancelResult> {
  let cursor = target.after;
  let examined = 0;
  let matched = 0;
  let cancelled = 0;
  const result = (complete: boolean): BulkCancelResult => ({ examined, matched, cancelled, complete, cursor: complete ? null : (cursor?.id ?? null) });
  for (;;) {
    const limit = Math.min(BULK_CANCEL_PAGE, BULK_CANCEL_MAX_EXAMINED - examined);
    const page = await activeRunsBetween(env.DB, target.functionId, target.from, target.to, cursor, limit);
    const chosen: string[] = [];
    let full = false;
    for (const run of page) {
      if (matched + chosen.length >= BULK_CANCEL_MAX_RUNS) {
        full = true;
        break;
      }
      examined++;
      cursor = { at: run.queued_at, id: run.id };
      if (matches(target.expression, run.event)) chosen.push(run.id);
    }
    matched += chosen.length;
    const outcomes = await mapLimit(chosen, BULK_CANCEL_CONCURRENCY, (id) => cancelRun(env, id));
    cancelled += outcomes.filter(Boolean).length;
    if (!full && page.length < limit) return result(true);
    if (full || examined >= BULK_CANCEL_MAX_EXAMINED || matched >= BULK_CANCEL_MAX_RUNS) return result(false);
  }
}
