import { WAIT_SHARD_LOOKUP_CONCURRENCY, WAIT_SHARD_LOOKUPS_PER_BATCH } from "../constants";
import type { Env } from "../env";
import { toSdkEvent, type StoredEvent } from "../ingest/event";
import { mapLimit } from "../util/map-limit";
import { indexValueAt } from "./equality";
import { equalityShard, nameShard } from "./shard-names";
import type { ShardLookup, ShardMatch } from "./shard-store";

/** An incoming event that satisfies a pause, and the shard holding the pause. */
export interface PauseMatch {
  match: ShardMatch;
  shard: string;
  event: StoredEvent;
}

/** What a search of the wait index found. */
export interface MatchSearch {
  /** At most the budget of matches; each pause once, by the earliest event of the batch. */
  matches: PauseMatch[];
  /** Events (internal ids) that may satisfy more pauses than were looked at: deliver them again. */
  unfinished: Set<string>;
  /** The error of each event (internal id) a shard that may hold its pauses could not be asked for. */
  failures: Map<string, unknown>;
}

interface ShardCall {
  shard: string;
  events: StoredEvent[];
  found: ShardLookup;
}

const NOTHING: ShardLookup = { matches: [], more: false, paths: [] };

/**
 * Finds the pauses a batch of events satisfies. Each event name's shard is asked first: it
 * evaluates the name's unindexed pauses and lists the match paths its equality pauses use. Then,
 * for each path, the shard of the value the event carries there is asked: a lookup, not a scan,
 * so the cost does not grow with the runs waiting on other values. At most
 * WAIT_SHARD_LOOKUPS_PER_BATCH shards are asked; events left out, events whose shards stopped at
 * the budget, and events past the budget of matches are reported unfinished; events a shard
 * could not be asked for are reported failed (their other matches are still delivered, and
 * delivering them again is harmless).
 */
export async function findPauseMatches(env: Env, events: StoredEvent[], now: number, budget: number): Promise<MatchSearch> {
  const unfinished = new Set<string>();
  const failures = new Map<string, unknown>();
  const byName = new Map<string, StoredEvent[]>();
  for (const event of events) byName.set(event.name, [...(byName.get(event.name) ?? []), event]);
  const names = [...byName.keys()];
  const asked = names.slice(0, WAIT_SHARD_LOOKUPS_PER_BATCH);
  for (const name of names.slice(asked.length)) for (const event of byName.get(name)!) unfinished.add(event.internalId);
  // A shard that fails fails only the events asked of it: they are retried, the others go on.
  const lookup = async (shard: string, batch: StoredEvent[]): Promise<ShardCall> => {
    try {
      return { shard, events: batch, found: await env.WAIT_SHARDS.getByName(shard).lookup(batch, now, budget) };
    } catch (err) {
      for (const event of batch) failures.set(event.internalId, err);
      return { shard, events: batch, found: NOTHING };
    }
  };
  const nameCalls = await mapLimit(asked, WAIT_SHARD_LOOKUP_CONCURRENCY, (name) => lookup(nameShard(name), byName.get(name)!));

  let room = WAIT_SHARD_LOOKUPS_PER_BATCH - asked.length;
  const byShard = new Map<string, StoredEvent[]>();
  for (const { events: named, found } of nameCalls) {
    for (const event of named) {
      const shards = new Set(equalityShardsOf(event, found));
      const fresh = [...shards].filter((shard) => !byShard.has(shard)).length;
      if (fresh > room) {
        unfinished.add(event.internalId);
        continue;
      }
      room -= fresh;
      for (const shard of shards) byShard.set(shard, [...(byShard.get(shard) ?? []), event]);
    }
  }
  const valueCalls = await mapLimit([...byShard], WAIT_SHARD_LOOKUP_CONCURRENCY, ([shard, batch]) => lookup(shard, batch));

  const matches: PauseMatch[] = [];
  for (const { shard, events: batch, found } of [...nameCalls, ...valueCalls]) {
    if (found.more) for (const event of batch) unfinished.add(event.internalId);
    const byId = new Map(batch.map((event) => [event.internalId, event]));
    for (const match of found.matches) {
      const event = byId.get(match.eventId);
      if (event) matches.push({ match, shard, event });
    }
  }
  for (const { event } of matches.slice(budget)) unfinished.add(event.internalId);
  return { matches: matches.slice(0, budget), unfinished, failures };
}

/** The equality shards an event must be looked up in: one per registered path it has a value at. */
function equalityShardsOf(event: StoredEvent, found: ShardLookup): string[] {
  const incoming = toSdkEvent(event);
  return found.paths.flatMap(({ eventName, path }) => {
    if (eventName !== event.name) return [];
    const value = indexValueAt(incoming, path);
    return value === null ? [] : [equalityShard(event.name, path, value)];
  });
}
