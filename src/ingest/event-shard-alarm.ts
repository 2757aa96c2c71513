/**
 * What an event shard's alarm does: sends unconfirmed events to the Queue again, writes changed
 * rows to D1 history in one batch, and deletes expired claims and long-settled events, each
 * bounded per alarm. Whatever is left makes the next alarm ring soon.
 * @module
 */
import {
  ALARM_ERROR_RETRY_MS,
  EVENT_HISTORY_BYTES_PER_ALARM,
  EVENT_HISTORY_ROWS_PER_ALARM,
  EVENT_REDRIVE_AFTER_MS,
  EVENT_REDRIVES_PER_ALARM,
  EVENT_SHARD_DELETES_PER_ALARM,
  QUEUE_BEHIND_SKEW_MS,
} from "../constants";
import type { Env } from "../env";
import { readStoredJson } from "../util/stored-json";
import { enqueueMessages, messageFor, referenceMessage } from "./enqueue";
import { storedEventSchema } from "./event";
import { writeEventHistory } from "./event-store";
import type { EventShardStore } from "./event-shard-store";
import type { QueueMessage } from "./queue-message";
import { lookAgainAfter, oldestWaitingSentAt } from "./queue-lag";

/** Runs one alarm's work; returns when the next alarm should ring, or null for none. */
export async function runShardAlarm(env: Env, store: EventShardStore, now: number): Promise<number | null> {
  const steps = await Promise.all([
    attempt("re-driving unconfirmed events", () => redriveDue(env, store, now)),
    attempt("writing event history", () => writeHistory(env.DB, store)),
  ]);
  store.deleteExpired(now, EVENT_SHARD_DELETES_PER_ALARM);
  const next = store.nextWakeAt(Date.now());
  // After a failure the work is still due; a pause keeps the alarm from ringing in a loop.
  return steps.every(Boolean) ? next : Math.max(next ?? 0, Date.now() + ALARM_ERROR_RETRY_MS);
}

/**
 * Puts pending events whose re-drive is due back on the Queue (whole when they fit a message,
 * else by reference to this shard). Covers a failed Queue send, messages lost because local
 * Queues live in memory under `wrangler dev`, and routing that never confirmed. An event whose
 * stored JSON no longer parses cannot be routed by retrying: it is marked `failed`.
 *
 * An event is not re-driven while the Queue still holds a message sent before it (within
 * QUEUE_BEHIND_SKEW_MS): routing is behind and has not reached it yet, and a second copy would
 * only add to the backlog. Its re-drive is put off by the Queue's lag (at least
 * EVENT_REDRIVE_AFTER_MS) and checked again; once the Queue has moved past the time it was
 * sent, a still-pending event is re-driven. A lost message costs at most the Queue's lag, never
 * the event.
 */
async function redriveDue(env: Env, store: EventShardStore, now: number): Promise<void> {
  const candidates = store.dueRedrives(now, EVENT_REDRIVES_PER_ALARM);
  if (candidates.length === 0) return;
  const oldest = await oldestWaitingSentAt(env.EVENTS);
  const isLate = (row: { sentAt: number }) => oldest !== null && oldest <= row.sentAt + QUEUE_BEHIND_SKEW_MS;
  if (oldest !== null) {
    store.postponeRedrives(
      candidates.filter(isLate).map((row) => row.internalId),
      now + lookAgainAfter(oldest, now, EVENT_REDRIVE_AFTER_MS),
    );
  }
  const due = candidates.filter((row) => !isLate(row));
  if (due.length === 0) return;
  const messages: { body: QueueMessage; bytes: number }[] = [];
  const sent: string[] = [];
  for (const row of due) {
    if (row.event === null) {
      messages.push(referenceMessage({ internalId: row.internalId, id: row.id, target: row.target ?? undefined }));
      sent.push(row.internalId);
      continue;
    }
    const read = readStoredJson(storedEventSchema, row.event);
    if (read.ok) {
      messages.push(messageFor({ event: read.value, target: row.target ?? undefined }));
      sent.push(row.internalId);
    } else {
      console.error(`stepflare: event ${row.internalId} cannot be re-driven: stored event is invalid: ${read.error}`);
      store.mark([{ internalId: row.internalId, status: "failed", error: `stored event is invalid: ${read.error}` }], now);
    }
  }
  await enqueueMessages(env.EVENTS, messages);
  store.noteRedriven(sent, now);
}

/** Writes the rows D1 history lacks, then notes the versions written. */
async function writeHistory(db: D1Database, store: EventShardStore): Promise<void> {
  const rows = store.unwritten(EVENT_HISTORY_ROWS_PER_ALARM, EVENT_HISTORY_BYTES_PER_ALARM);
  if (rows.length === 0) return;
  await writeEventHistory(db, rows);
  store.noteWritten(rows);
}

/** Runs `work`, logging a failure instead of throwing it; true when it succeeded. */
async function attempt(what: string, work: () => Promise<void>): Promise<boolean> {
  try {
    await work();
    return true;
  } catch (err) {
    console.error(`stepflare: event shard: ${what} failed`, err);
    return false;
  }
}
