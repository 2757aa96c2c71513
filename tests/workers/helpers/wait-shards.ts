import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { WaitShardObject } from "../../../src/index";

/** Whether a wait shard has any storage (an empty shard wipes its own). */
export function shardHasStorage(shard: string): Promise<boolean> {
  return runInDurableObject(env.WAIT_SHARDS.getByName(shard), (_instance: WaitShardObject, state) =>
    state.storage.sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'pauses'").toArray().length > 0,
  );
}

/** A wait shard's stored pause ids, read from its SQLite state (none when it has no storage). */
export async function shardPauseIds(shard: string): Promise<string[]> {
  if (!(await shardHasStorage(shard))) return [];
  return runInDurableObject(env.WAIT_SHARDS.getByName(shard), (_instance: WaitShardObject, state) =>
    state.storage.sql.exec<{ id: string }>("SELECT id FROM pauses ORDER BY id").toArray().map((r) => r.id),
  );
}

/** The match paths a name shard lists for an event name, expired or not. */
export async function shardPaths(shard: string, eventName: string): Promise<string[]> {
  if (!(await shardHasStorage(shard))) return [];
  return runInDurableObject(env.WAIT_SHARDS.getByName(shard), (_instance: WaitShardObject, state) =>
    state.storage.sql
      .exec<{ path: string }>("SELECT path FROM match_paths WHERE event_name = ? ORDER BY path", eventName)
      .toArray()
      .map((r) => r.path),
  );
}
