/**
 * Cancelling runs from the API: one run by id, or every active run of a function that started in
 * a time range, optionally narrowed by a CEL expression over the run's trigger event.
 * @module
 */
import type { Env } from "../env";
import { matchesExpression } from "../expressions";
import { storedEventSchema, toSdkEvent } from "../ingest/event";
import { activeRunsBetween } from "../history/runs";
import type { Keyset } from "../history/where";
import { mapLimit } from "../util/map-limit";
import { BULK_CANCEL_CONCURRENCY, BULK_CANCEL_MAX_RUNS, BULK_CANCEL_PAGE } from "../constants";

/** Asks the run's object to cancel it; false if it had already ended. */
export async function cancelRun(env: Env, runId: string): Promise<boolean> {
  const { cancelled } = await env.RUNS.getByName(runId).cancel();
  return cancelled;
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
}

/** What a bulk cancellation did. `complete` is false when it stopped at its per-request limit. */
export interface BulkCancelResult {
  matched: number;
  cancelled: number;
  complete: boolean;
}

/** Whether the stored trigger event satisfies `expression`; a missing event never does. */
function matches(expression: string | undefined, storedEvent: string | null): boolean {
  if (expression === undefined) return true;
  if (storedEvent === null) return false;
  const event = toSdkEvent(storedEventSchema.parse(JSON.parse(storedEvent)));
  return matchesExpression(expression, { event });
}

/**
 * Cancels the matching runs, oldest first, up to {@link BULK_CANCEL_MAX_RUNS} per call. The
 * expression must already be validated: an invalid one would simply match nothing.
 */
export async function cancelInBulk(env: Env, target: BulkCancel): Promise<BulkCancelResult> {
  let cursor: Keyset | undefined;
  let matched = 0;
  let cancelled = 0;
  for (;;) {
    const page = await activeRunsBetween(env.DB, target.functionId, target.from, target.to, cursor, BULK_CANCEL_PAGE);
    const last = page.at(-1);
    if (!last) return { matched, cancelled, complete: true };
    cursor = { at: last.queued_at, id: last.id };
    const chosen = page.filter((run) => matches(target.expression, run.event)).slice(0, BULK_CANCEL_MAX_RUNS - matched);
    matched += chosen.length;
    const outcomes = await mapLimit(chosen, BULK_CANCEL_CONCURRENCY, (run) => cancelRun(env, run.id));
    cancelled += outcomes.filter(Boolean).length;
    if (matched >= BULK_CANCEL_MAX_RUNS) return { matched, cancelled, complete: false };
    if (page.length < BULK_CANCEL_PAGE) return { matched, cancelled, complete: true };
  }
}
