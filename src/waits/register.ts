import { WAIT_PATH_CACHE_SIZE, WAIT_PATH_LISTING_MS } from "../constants";
import type { Env } from "../env";
import { toPauseRow, type Pause, type PauseRow } from "./pause";
import type { LocatedPause } from "../runs/pause-locations";
import { equalityShard, nameShard } from "./shard-names";

/**
 * Until when each (event name, match path) is known to be listed in its name's registry. A
 * listing lasts until its expiry (a registry only drops expired entries), so a pause that expires
 * by then needs no call to the name shard. Per isolate, bounded.
 */
const listings = new Map<string, number>();

/**
 * The shard a pause belongs in. An equality pause first has its match path listed in its name's
 * registry (so incoming events of that name look the path up), for at least WAIT_PATH_LISTING_MS
 * so later registrations can skip asking, and then goes to the shard of its value; when the
 * registry is full, or the pause has no equality, it stays in the name shard, where incoming
 * events evaluate it. Listing the path before storing the pause means an event routed after the
 * pause is stored always finds it.
 */
export async function placePause(env: Env, row: PauseRow, now: number): Promise<string> {
  const home = nameShard(row.event_name);
  if (row.match_path === null || row.match_value === null) return home;
  const key = JSON.stringify([row.event_name, row.match_path]);
  if ((listings.get(key) ?? 0) < row.expires_at) {
    const until = Math.max(row.expires_at, now + WAIT_PATH_LISTING_MS);
    const listed = await env.WAIT_SHARDS.getByName(home).notePath(row.event_name, row.match_path, until, now);
    if (listed === null) return home;
    listings.delete(key);
    listings.set(key, listed);
    if (listings.size > WAIT_PATH_CACHE_SIZE) listings.delete(listings.keys().next().value!);
  }
  return equalityShard(row.event_name, row.match_path, row.match_value);
}

/**
 * Registers a pause in its shard; registering it again changes nothing. `placed` learns the
 * shard before the pause is stored there, so whoever records it can always find it again.
 * Returns the shard.
 */
export async function registerPause(env: Env, pause: Pause, now: number, placed?: (shard: string) => void): Promise<string> {
  const row = toPauseRow(pause);
  const shard = await placePause(env, row, now);
  placed?.(shard);
  await env.WAIT_SHARDS.getByName(shard).register(row);
  return shard;
}

/** Removes pauses from their shards (one call per shard). */
export async function removePauses(env: Env, pauses: LocatedPause[]): Promise<void> {
  const byShard = new Map<string, string[]>();
  for (const { id, shard } of pauses) byShard.set(shard, [...(byShard.get(shard) ?? []), id]);
  await Promise.all([...byShard].map(([shard, ids]) => env.WAIT_SHARDS.getByName(shard).remove(ids)));
}
