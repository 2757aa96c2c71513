import type { Env } from "../env";
import type { PhaseClock } from "../metering/phase-timing";
import type { RoutedEvent } from "./routed-event";
import { newEventIds } from "./event-ids";
import { messageFor } from "./enqueue";
import { storeInShards } from "./event-shards";
import { enqueueGrouped, groupedAccept } from "./ingest-groups";
import { runBehind } from "../util/run-behind";
import { parseEventPayload } from "./validate-events";

/** The answer to an ingest request, in the body shape the SDK checks (`status` must be 200). */
export type AcceptResult = { ok: true; ids: string[] } | { ok: false; status: 400; error: string };

/**
 * Validates, stores and enqueues the events of one ingest request. Events are durable in their
 * event shards (Durable Objects, one call per shard in parallel, shared with the concurrent
 * requests of this isolate that store in the same shard: ingest-groups.ts) before their ids are
 * returned; nothing on this path touches D1. Duplicates of a sender's id are stored as such and not
 * enqueued. The Queue send goes on behind the answer; if it fails the events stay pending and
 * their shard re-drives them, so an accepted event is never lost.
 */
export async function acceptEvents(env: Env, body: string, seedHeader: string | null, now: number, clock: PhaseClock | null = null): Promise<AcceptResult> {
  const parsed = parseEventPayload(body, now);
  clock?.lap("parse");
  if (!parsed.ok) return { ok: false, status: 400, error: parsed.error };
  const ids = newEventIds(parsed.events.length, seedHeader, now);
  const stored: RoutedEvent[] = parsed.events.map((event, i) => ({
    event: { ...event, internalId: ids[i]!, id: event.id ?? ids[i]! },
  }));
  clock?.lap("ids");
  const pending = await storeInShards(env, stored, now, groupedAccept(body.length / Math.max(1, stored.length)));
  clock?.lap("shards");
  // Not awaited: the events are durable in their shards, which re-drive any the Queue never
  // got, so the answer need not wait for the send (one hop less per request).
  runBehind(
    enqueueGrouped(env, pending.map(messageFor)).catch((err: unknown) => {
      console.error("stepflare: enqueueing events failed; their shards will re-drive them", err);
    }),
  );
  clock?.lap("queue");
  return { ok: true, ids };
}
