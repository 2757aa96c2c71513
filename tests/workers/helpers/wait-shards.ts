import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { WaitShardObject } from "../../../src/index";

/** A wait shard's stored pause ids, read from its SQLite state. */
export function shardPauseIds(shard: string): Promise<string[]> {
  return runInDurableObject(env.WAIT_SHARDS.getByName(shard), (_instance: WaitShardObject, state) =>
    state.storage.sql.exec<{ id: string }>("SELECT id FROM pauses ORDER BY id").toArray().map((r) => r.id),
  );
}

/** The match paths a name shard lists for an event name, expired or not. */
export function shardPaths(shard: string, eventName: string): Promise<string[]> {
  return runInDurableObject(env.WAIT_SHARDS.getByName(shard), (_instance: WaitShardObject, state) =>
    state.storage.sql
      .exec<{ path: string }>("SELECT path FROM match_paths WHERE event_name = ? ORDER BY path", eventName)
      .toArray()
      .map((r) => r.path),
  );
}
