/**
 * What is derived from a signing key, computed once per key and isolate: the SDK's bearer token
 * (a SHA-256) for every authenticated request, an SDK step checkpoint among them in production
 * mode, and the HMAC key for every signed call to an app. Keys come from the deployment's
 * configuration, never from a request, and change only with a deploy (new isolates), so an entry
 * is never stale; the map is cleared past SIGNING_KEY_CACHE_ENTRIES all the same, so that it stays
 * small whatever calls it.
 * @module
 */
import { SIGNING_KEY_CACHE_ENTRIES } from "../constants";

/** A per-key cache of `derive(key)`; a derivation that fails is not kept. */
export function keyCache<T>(derive: (key: string) => Promise<T>): (key: string) => Promise<T> {
  const derived = new Map<string, Promise<T>>();
  return (key) => {
    const held = derived.get(key);
    if (held) return held;
    if (derived.size >= SIGNING_KEY_CACHE_ENTRIES) derived.clear();
    const value = derive(key);
    derived.set(key, value);
    value.catch(() => {
      if (derived.get(key) === value) derived.delete(key);
    });
    return value;
  };
}
