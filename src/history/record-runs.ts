import { HISTORY_MESSAGE_MAX_BYTES } from "../constants";
import { enqueueMessages } from "../ingest/enqueue";
import { utf8Bytes } from "../util/utf8";
import type { AdmittedRun } from "../routing/admit";
import type { EventEffect, HistoryMessage, SKIP_REASONS } from "../runner/history-message";
import type { SizedMessage } from "../runner/history-pack";

/** A run not started: the event, the function, and why (flow control or the chain guard). */
export interface SkippedRun {
  eventId: string;
  functionId: string;
  reason: (typeof SKIP_REASONS)[number];
}

/** Splits `items` into messages made by `wrap`, each under HISTORY_MESSAGE_MAX_BYTES. */
function packItems<T>(items: T[], wrap: (items: T[]) => HistoryMessage): SizedMessage<HistoryMessage>[] {
  const base = utf8Bytes(JSON.stringify(wrap([])));
  const messages: SizedMessage<HistoryMessage>[] = [];
  let current: T[] = [];
  let bytes = base;
  for (const item of items) {
    const size = utf8Bytes(JSON.stringify(item)) + 1;
    if (current.length > 0 && bytes + size > HISTORY_MESSAGE_MAX_BYTES) {
      messages.push({ body: wrap(current), bytes });
      current = [];
      bytes = base;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) messages.push({ body: wrap(current), bytes });
  return messages;
}

/**
 * Sends `queued` history rows for admitted runs and the runs flow control or the chain guard
 * skipped to the history Queue; a failed send throws (the caller's routing is retried, and is
 * idempotent). A `queued` row never replaces the run's own row, whichever arrives first.
 */
export async function recordRoutedRuns(queue: Queue<HistoryMessage>, admitted: AdmittedRun[], skipped: SkippedRun[], now: number): Promise<void> {
  const runs = admitted.map(({ runId, functionId, appId, eventId }) => ({ runId, functionId, appId, eventId }));
  await enqueueMessages(queue, [
    ...packItems(runs, (items) => ({ kind: "queued_runs", at: now, runs: items })),
    ...packItems(skipped, (items) => ({ kind: "skipped_runs", at: now, skips: items })),
  ]);
}

/**
 * Adds `queued` history rows for runs started outside routing (a rerun, a flow-control buffer
 * releasing) straight to D1, in the caller's own batch; the runs' own updates may already be there.
 */
export function recordQueuedRuns(db: D1Database, runs: AdmittedRun[], now: number): D1PreparedStatement {
  return db
    .prepare(
      `INSERT OR IGNORE INTO runs (id, function_id, app_id, event_id, status, queued_at, updated_at)
       SELECT value ->> '$.runId', value ->> '$.functionId', value ->> '$.appId', value ->> '$.eventId', 'queued', ?2, ?2
       FROM json_each(?1)`,
    )
    .bind(JSON.stringify(runs), now);
}

/**
 * Sends what events did to paused runs (resumed a wait, cancelled a run) to the history Queue; a
 * failed send throws, before the pauses are removed, so the delivery is retried and recorded then.
 */
export async function recordEventEffects(queue: Queue<HistoryMessage>, effects: EventEffect[], now: number): Promise<void> {
  if (effects.length === 0) return;
  await enqueueMessages(
    queue,
    packItems(effects, (items) => ({ kind: "event_effects", at: now, effects: items })),
  );
}
