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

/** Event rows (or their changes) that no shard has written to D1 history yet. */
export async function unwrittenEvents(): Promise<number> {
  let total = 0;
  for (let shard = 0; shard < EVENT_SHARD_COUNT; shard++) {
    total += (await shardRows<{ n: number }>(shard, "SELECT count(*) AS n FROM events WHERE written < version"))[0]!.n;
  }
  return total;
}

/**
 * Waits until every shard's alarm has written what it holds to D1 history, so a test reads D1
 * as the dashboard would a moment later: history is written behind the hot path, not on it.
 */
export async function historyWritten(timeoutMs = 20_000): Promise<void> {
  await waitFor("event shards to write their history to D1", async () => ((await unwrittenEvents()) === 0 ? true : undefined), timeoutMs);
}
