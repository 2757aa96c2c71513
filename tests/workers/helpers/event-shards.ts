import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { EVENT_SHARD_COUNT } from "../../../src/constants";
import { eventShardName } from "../../../src/ingest/event-shard-key";
import { waitFor } from "./wait";

/** The event shard object of index `shard`. */
export function shardStub(shard: number) {
  return env.EVENT_SHARDS.getByName(eventShardName(shard));
}

/** Runs `sql` inside shard `shard`'s own SQLite and returns its rows. */
export function shardRows<T extends Record<string, SqlStorageValue>>(shard: number, sql: string, ...values: SqlStorageValue[]): Promise<T[]> {
  return runInDurableObject(shardStub(shard), (_instance, state) => state.storage.sql.exec<T>(sql, ...values).toArray());
}

/** Rows across every shard matching `where` (SQL over the shard's `events` table). */
async function countInShards(where: string, ...values: SqlStorageValue[]): Promise<number> {
  const counts = await Promise.all(
    Array.from({ length: EVENT_SHARD_COUNT }, (_, shard) => shardRows<{ n: number }>(shard, `SELECT count(*) AS n FROM events WHERE ${where}`, ...values)),
  );
  return counts.reduce((sum, [row]) => sum + row!.n, 0);
}

/**
 * Waits until the shards have written the current state of events to D1 history (of `ids`, or of
 * every event they hold), so a test reads D1 as the dashboard would a moment later: history is
 * written behind the hot path, not on it.
 */
export async function historyWritten(ids?: string[], timeoutMs = 20_000): Promise<void> {
  const where = ids === undefined ? "written < version" : "written < version AND internal_id IN (SELECT value FROM json_each(?))";
  const values = ids === undefined ? [] : [JSON.stringify(ids)];
  await waitFor("event shards to write their history to D1", async () => ((await countInShards(where, ...values)) === 0 ? true : undefined), timeoutMs);
}

/**
 * Waits until every event the shards hold has a row in D1 history (later changes of status may
 * still be on their way), so counting D1 rows gives a stable answer.
 */
export async function eventsInHistory(timeoutMs = 20_000): Promise<void> {
  await waitFor("event shards to insert their events in D1", async () => ((await countInShards("written = 0")) === 0 ? true : undefined), timeoutMs);
}

/** Deletes every shard's alarm, so no re-drive or history write of a test file fires into the next. */
export async function clearShardAlarms(): Promise<void> {
  for (let shard = 0; shard < EVENT_SHARD_COUNT; shard++) {
    await runInDurableObject(shardStub(shard), (_instance, state) => state.storage.deleteAlarm());
  }
}
