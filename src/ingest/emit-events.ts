import type { Env } from "../env";
import { hashedUlid } from "./event-ids";
import { enqueueMessages, messageFor } from "./enqueue";
import { storeInShards } from "./event-shards";
import type { RoutedEvent } from "./routed-event";

/** An event the server emits itself (system events, invokes, cron ticks). */
export interface EmittedEvent {
  name: string;
  data: Record<string, unknown>;
  ts: number;
  /** Names the event uniquely: emitting the same key twice stores and routes it once. */
  key: string;
  /** The event's `id` as functions see it; defaults to its internal id. */
  id?: string;
  /** The one function this event is for, when it is not routed by trigger. */
  target?: string;
}

/**
 * Stores server-emitted events in their shards and enqueues them. Their internal ids derive from
 * `key` and `ts`, so a retried emission (after a crash, a redelivery) stores nothing twice and
 * enqueues only what routing has not settled yet; the run ids derived from it are the same.
 */
export async function emitEvents(env: Env, events: EmittedEvent[], now: number): Promise<string[]> {
  const items: RoutedEvent[] = await Promise.all(
    events.map(async (e) => {
      const internalId = await hashedUlid(e.ts, e.key);
      return { event: { name: e.name, data: e.data, ts: e.ts, user: {}, internalId, id: e.id ?? internalId }, target: e.target };
    }),
  );
  const pending = await storeInShards(env, items, now);
  await enqueueMessages(env.EVENTS, pending.map(messageFor));
  return items.map((i) => i.event.internalId);
}
