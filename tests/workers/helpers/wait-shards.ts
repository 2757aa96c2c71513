import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { WaitShardObject } from "../../../src/index";

/**
 * Runs `read` on a wait shard's SQLite storage, or answers `empty` when the shard has none (an
 * empty shard wipes its own). One call, so the shard's alarm cannot wipe it between the two.
 */
function readShard<T>(shard: string, empty: T, read: (sql: SqlStorage) => T): Promise<T> {
  return runInDurableObject(env.WAIT_SHARDS.getByName(shard), (_instance: WaitShardObject, state) => {
    const sql = state.storage.sql;
    const hasTables = sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'pauses'").toArray().length > 0;
    return hasTables ? read(sql) : empty;
  });
}

/** Whether a wait shard has any storage. */
export function shardHasStorage(shard: string): Promise<boolean> {
  return readShard(shard, false, () => true);
}

/** A wait shard's stored pause ids (none when it has no storage). */
export function shardPauseIds(shard: string): Promise<string[]> {
  return readShard(shard, [], (sql) =>
    sql
      .exec<{ id: string }>("SELECT id FROM pauses ORDER BY id")
      .toArray()
      .map((r) => r.id),
  );
}

/** The match paths a name shard lists for an event name, expired or not. */
export function shardPaths(shard: string, eventName: string): Promise<string[]> {
  return readShard(shard, [], (sql) =>
    sql
      .exec<{ path: string }>("SELECT path FROM match_paths WHERE event_name = ? ORDER BY path", eventName)
      .toArray()
      .map((r) => r.path),
  );
}
