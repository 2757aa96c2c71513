/**
 * Names of the WaitShardObjects that hold the wait index. Two kinds of shard:
 *
 * - the **name shard** of an event name holds that name's waits that cannot be found by lookup
 *   (no equality in their expression, or registered while the name's registry was full) and the
 *   name's registry of match paths;
 * - an **equality shard** holds the waits of one (event name, match path, value): the runs
 *   waiting for `shop/paid` with `data.orderId == "o-7"` are in one object, those waiting for
 *   "o-8" in another, so 100,000 runs waiting on one name spread over 100,000 small objects and an
 *   incoming event reaches only the one that holds its value.
 *
 * Names are hashes (FNV-1a 64) of their parts, so any event name or value gives a short name. A
 * collision would only put two keys in one object: a shard checks name, path and value of every
 * wait it returns, so it can never resume the wait of another key. Stable across releases:
 * changing them would orphan the waits already stored.
 * @module
 */
import { fnv1a64Hex } from "../flow/keys";

/** The name shard of an event name. */
export function nameShard(eventName: string): string {
  return `name:${fnv1a64Hex(eventName)}`;
}

/** The equality shard of an event name, a match path in its events, and the JSON value there. */
export function equalityShard(eventName: string, path: string, value: string): string {
  return `eq:${fnv1a64Hex(JSON.stringify([eventName, path, value]))}`;
}
