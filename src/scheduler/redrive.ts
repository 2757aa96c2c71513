import { EVENT_REDRIVE_AFTER_MS, REDRIVE_BATCH_LIMIT } from "../constants";
import type { Env } from "../env";
import { enqueueMessages } from "../ingest/enqueue";
import { pendingEventIds } from "../ingest/event-store";

/**
 * Puts events that were accepted but never routed back on the Queue, by reference. Covers a
 * failed Queue send and, under `wrangler dev`, messages lost because local Queues live in memory.
 * Returns how many were re-driven.
 */
export async function redrivePendingEvents(env: Env, now: number): Promise<number> {
  const ids = await pendingEventIds(env.DB, now - EVENT_REDRIVE_AFTER_MS, REDRIVE_BATCH_LIMIT);
  if (ids.length === 0) return 0;
  await enqueueMessages(env.EVENTS, ids.map((internalId) => ({ body: { kind: "event_ref" as const, internalId }, bytes: 100 })));
  return ids.length;
}
