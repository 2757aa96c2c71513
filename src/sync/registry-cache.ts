/**
 * The synced functions kept in isolate memory with the registry version they were read at, so
 * routing asks the registry for its version (no D1) and reads D1 only when the version moved.
 * @module
 */
import type { StoredFunction } from "./store";

/** Where the cache learns the current version and reads the full list. */
export interface RegistrySource {
  /** The registry's current version; cheap, no D1. */
  version(): Promise<string>;
  /** Every synced function, read from D1. */
  list(): Promise<StoredFunction[]>;
}

interface Entry {
  version: string;
  functions: StoredFunction[];
  loadedAt: number;
}

interface Load {
  version: string;
  promise: Promise<StoredFunction[]>;
}

/**
 * Invariant: a list is tagged with a version read *before* the list was read. A sync writes D1
 * first and bumps the version after, so a list read after seeing version v holds every sync that
 * produced v (or newer ones): the tag may be older than the content, which costs one extra read
 * later, never a stale route. Tagging with a version read after the list could pair an old list
 * with a new version and hide a sync until the next one.
 *
 * `maxAgeMs` bounds how long a list is trusted without a re-read even when the version is
 * unchanged: the safety net for a sync whose bump failed after its D1 write.
 */
export class RegistryCache {
  #entry: Entry | null = null;
  #loading: Load | null = null;

  constructor(private readonly maxAgeMs: number) {}

  /** The functions as of the registry's current version, read from D1 only when needed. */
  async functions(source: RegistrySource, now: number): Promise<StoredFunction[]> {
    const version = await source.version();
    const entry = this.#entry;
    if (entry !== null && entry.version === version && now - entry.loadedAt < this.maxAgeMs) return entry.functions;
    // A load started after another caller saw this same version is just as fresh: share it.
    if (this.#loading !== null && this.#loading.version === version) return this.#loading.promise;
    return this.#load(source, version, now);
  }

  /** Forgets the cached list (diagnostics and tests). */
  clear(): void {
    this.#entry = null;
    this.#loading = null;
  }

  async #load(source: RegistrySource, version: string, now: number): Promise<StoredFunction[]> {
    const load: Load = { version, promise: source.list() };
    this.#loading = load;
    try {
      const functions = await load.promise;
      // Only the newest load writes the entry: an older one finishing late must not replace it.
      if (this.#loading === load) this.#entry = { version, functions, loadedAt: now };
      return functions;
    } finally {
      if (this.#loading === load) this.#loading = null;
    }
  }
}
