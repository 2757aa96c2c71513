/**
 * Calls to the event shards from the Worker: storing accepted events, reading them back for the
 * consumer, and reporting how routing settled them. One call per shard, the shards in parallel.
 * @module
 */
import { EVENT_SHARD_COUNT, EVENT_SHARD_IDS_PER_LOAD, EVENT_SHARD_LOADS_PER_CALL } from "../constants";
import type { Env } from "../env";
import { storedEventSchema, type StoredEvent } from "./event";
import { eventShardName, eventShardOf } from "./event-shard-key";
import type { EventMark, HeldEvent, RecentEvent, ShardItem } from "./event-shard-store";
import { addStoredEvent, loadEvents, loadQueuedEvents, markEventFailed, markEventRouted, type LoadedEvents } from "./event-store";
import type { QueueMessage } from "./queue-message";
import type { RoutedEvent } from "./routed-event";
import { readStoredJson } from "../util/stored-json";

/** A mark for the event in `shard`; without a shard (a message from before shards) it goes to D1 history. */
export type ShardMark = EventMark & { shard: number | undefined };

/**
 * How one shard's part of a store reaches it; resolves to the ids it holds pending. By default a
 * call of its own ({@link acceptInShard}); the ingest route groups concurrent requests' parts.
 */
export type ShardAccept = (env: Env, shard: number, items: ShardItem[], receivedAt: number) => Promise<string[]>;

/** One call to `shard` storing `items`: the plain {@link ShardAccept}. */
export function acceptInShard(env: Env, shard: number, items: ShardItem[], receivedAt: number): Promise<string[]> {
  return shardStub(env, shard).accept(items, receivedAt);
}

/**
 * Stores events durably in their shards (one call per shard, in parallel) and returns those to
 * enqueue: every event but duplicates of a sender's id and events a retried send already
 * settled. Resolves only once every shard has stored its events.
 */
export async function storeInShards(env: Env, items: RoutedEvent[], receivedAt: number, accept: ShardAccept = acceptInShard): Promise<RoutedEvent[]> {
  const groups = groupBy(items, (item) => shardOfItem(item));
  const pending = await Promise.all(
    [...groups].map(([shard, group]) =>
      accept(
        env,
        shard,
        group.map(({ event, target }) => (target === undefined ? { event } : { event, target })),
        receivedAt,
      ),
    ),
  );
  const enqueue = new Set(pending.flat());
  return items.filter((item) => enqueue.has(item.event.internalId));
}

/**
 * Reads referenced events: from the shard each reference names, then, for references without a
 * shard or events their shard no longer holds (settled long ago), from D1 history.
 */
export async function loadReferencedEvents(env: Env, refs: { internalId: string; shard?: number }[]): Promise<LoadedEvents> {
  const loaded: LoadedEvents = { found: [], missing: [], invalid: [] };
  const unique = [...new Map(refs.map((r) => [r.internalId, r])).values()];
  const groups = groupBy(
    unique.filter((r) => r.shard !== undefined),
    (r) => r.shard!,
  );
  const calls = [...groups].flatMap(([shard, group]) =>
    chunks(
      group.map((r) => r.internalId),
      EVENT_SHARD_LOADS_PER_CALL,
    ).map((ids) => shardStub(env, shard).load(ids)),
  );
  for (const held of (await Promise.all(calls)).flat()) addStoredEvent(loaded, held.internalId, held.event, held.target);
  const seen = new Set([...loaded.found.map((f) => f.event.internalId), ...loaded.invalid.map((i) => i.internalId)]);
  const fromHistory = await loadQueuedEvents(
    env.DB,
    unique.map((r) => r.internalId).filter((id) => !seen.has(id)),
  );
  return {
    found: [...loaded.found, ...fromHistory.found],
    invalid: [...loaded.invalid, ...fromHistory.invalid],
    missing: fromHistory.missing,
  };
}

/**
 * Reads events by internal id alone (buffered starts keep no more), touching D1 only for what the
 * shards no longer hold: first the shard of the internal id, where every event without a sender's
 * id is until a while after routing settled it; then D1 history; then, for events written to
 * neither yet (a sender's id, a batch full within a second of its events), every shard. A batch
 * holds at most BATCH_MAX_BYTES of events, so no read returns more.
 */
export async function loadEventsAnywhere(env: Env, internalIds: string[]): Promise<StoredEvent[]> {
  const found = new Map<string, StoredEvent>();
  const missing = () => internalIds.filter((id) => !found.has(id));
  const read = async (calls: Promise<HeldEvent[]>[]) => {
    const loaded: LoadedEvents = { found: [], missing: [], invalid: [] };
    for (const held of (await Promise.all(calls)).flat()) addStoredEvent(loaded, held.internalId, held.event, held.target);
    for (const item of loaded.found) found.set(item.event.internalId, item.event);
  };
  const byOwnShard = groupBy(internalIds, (internalId) => eventShardOf({ internalId }));
  await read([...byOwnShard].flatMap(([shard, ids]) => chunks(ids, EVENT_SHARD_IDS_PER_LOAD).map((part) => shardStub(env, shard).load(part))));
  if (missing().length > 0) {
    for (const item of await loadEvents(env.DB, missing())) found.set(item.event.internalId, item.event);
  }
  const rest = missing();
  if (rest.length > 0) {
    await read(
      Array.from({ length: EVENT_SHARD_COUNT }, (_, shard) => chunks(rest, EVENT_SHARD_IDS_PER_LOAD).map((part) => shardStub(env, shard).load(part))).flat(),
    );
  }
  return internalIds.flatMap((id) => found.get(id) ?? []);
}

/**
 * Events named `name` received in [from, to), oldest first, at most `limit`: from D1 history and,
 * for the last moments it has not caught up with, from every shard (one call each, in parallel).
 */
export async function recentEventsNamed(env: Env, name: string, from: number, to: number, limit: number): Promise<StoredEvent[]> {
  const [written, ...unwritten] = await Promise.all([
    env.DB.prepare(
      `SELECT internal_id AS internalId, data AS event, received_at AS receivedAt FROM events
       WHERE name = ? AND received_at >= ? AND received_at < ? AND status != 'duplicate' ORDER BY received_at LIMIT ?`,
    )
      .bind(name, from, to, limit)
      .all<RecentEvent>(),
    ...Array.from({ length: EVENT_SHARD_COUNT }, (_, shard) =>
      shardStub(env, shard).unwrittenNamed(name, from, to, Math.min(limit, EVENT_SHARD_LOADS_PER_CALL)),
    ),
  ]);
  const byId = new Map<string, { event: StoredEvent; receivedAt: number }>();
  for (const r of [...written.results, ...unwritten.flat()]) {
    const read = readStoredJson(storedEventSchema, r.event);
    if (read.ok) byId.set(r.internalId, { event: read.value, receivedAt: r.receivedAt });
    else console.error(`stepflare: event ${r.internalId} is left out of a lookback: stored event is invalid: ${read.error}`);
  }
  return [...byId.values()]
    .sort((a, b) => a.receivedAt - b.receivedAt)
    .slice(0, limit)
    .map((e) => e.event);
}

/**
 * Tells the shards how routing settled events (one call per shard, in parallel). Events a shard
 * no longer holds, and marks without a shard, are applied to D1 history instead.
 */
export async function markInShards(env: Env, marks: ShardMark[], now: number): Promise<void> {
  if (marks.length === 0) return;
  const groups = groupBy(marks, (m) => m.shard ?? -1);
  const notHeld = await Promise.all(
    [...groups].map(async ([shard, group]) => {
      const plain = group.map(({ shard: _shard, ...mark }) => mark);
      if (shard === -1) return plain;
      const missing = new Set(await shardStub(env, shard).mark(plain, now));
      return plain.filter((m) => missing.has(m.internalId));
    }),
  );
  for (const m of notHeld.flat()) {
    if (m.status === "failed") await markEventFailed(env.DB, m.internalId, m.error ?? "routing failed", now, m.onlyPending);
    else await markEventRouted(env.DB, m.internalId, now);
  }
}

/** The shard of a routed item: where its event was stored. */
export function shardOfItem({ event, target }: RoutedEvent): number {
  return eventShardOf({ internalId: event.internalId, id: event.id, target });
}

/** The shard of the event a queue message is about, when the message says or implies it. */
export function shardOfMessage(body: QueueMessage): number | undefined {
  return body.kind === "event" ? shardOfItem({ event: body.event, target: body.target }) : body.shard;
}

function shardStub(env: Env, shard: number) {
  return env.EVENT_SHARDS.getByName(eventShardName(shard));
}

function groupBy<T>(items: T[], key: (item: T) => number): Map<number, T[]> {
  const groups = new Map<number, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
