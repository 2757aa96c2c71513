/**
 * Which event shard holds an event: the shard of its user-given id when that id deduplicates
 * (so the 24 h claim is a lookup in one object), else the shard of its internal id.
 * @module
 */
import { EVENT_SHARD_COUNT } from "../constants";

/** The fields that place an event; loose, so a malformed queue message can still be placed. */
export interface ShardPlacement {
  internalId: string;
  id?: unknown;
  target?: unknown;
}

/**
 * Whether an event's `id` deduplicates: a sender's id on an event for no one function. Server-
 * emitted events with a target are idempotent by their own keys, and two functions' cron ticks
 * at the same time share an id without being duplicates.
 */
export function deduplicates(e: ShardPlacement): e is ShardPlacement & { id: string } {
  return e.target === undefined && typeof e.id === "string" && e.id !== e.internalId;
}

/** The shard index (0 .. EVENT_SHARD_COUNT - 1) of an event. */
export function eventShardOf(e: ShardPlacement): number {
  return deduplicates(e) ? shardIndex(`id:${e.id}`) : shardIndex(`internal:${e.internalId}`);
}

/** The object name of shard `index`. */
export function eventShardName(index: number): string {
  return `events-${index}`;
}

/** FNV-1a (32 bit) of the key's UTF-16 code units, modulo the shard count: cheap and evenly spread. */
export function shardIndex(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % EVENT_SHARD_COUNT;
}
