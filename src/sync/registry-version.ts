/**
 * The function registry's version: an opaque token that changes whenever a sync changes the
 * synced functions, kept in the RegistryObject's storage.
 * @module
 */

/** The part of a Durable Object's synchronous key-value storage the version needs. */
export interface VersionStorage {
  get<T = unknown>(key: string): T | undefined;
  put<T>(key: string, value: T): void;
}

/** What is stored: a random epoch chosen once, and a counter bumped by each change. */
interface StoredVersion {
  epoch: string;
  counter: number;
}

const KEY = "registry-version";

/**
 * The current version, `<epoch>.<counter>`. Storage that holds none yet gets a fresh random
 * epoch, so a registry whose storage was lost (or reset, as tests do) never repeats a version
 * an isolate may still hold a cached list for.
 */
export function currentVersion(storage: VersionStorage): string {
  return format(load(storage));
}

/** Moves the version on after a change of the synced functions; returns the new version. */
export function bumpVersion(storage: VersionStorage): string {
  const { epoch, counter } = load(storage);
  const next = { epoch, counter: counter + 1 };
  storage.put(KEY, next);
  return format(next);
}

function load(storage: VersionStorage): StoredVersion {
  const stored = storage.get<StoredVersion>(KEY);
  if (stored !== undefined) return stored;
  const fresh = { epoch: crypto.randomUUID(), counter: 0 };
  storage.put(KEY, fresh);
  return fresh;
}

function format({ epoch, counter }: StoredVersion): string {
  return `${epoch}.${counter}`;
}

/** Whether storage holds a version yet (a registry that has served a build before). */
export function hasVersion(storage: VersionStorage): boolean {
  return storage.get(KEY) !== undefined;
}
