/**
 * A small least-recently-used cache on top of Map's insertion order.
 * @module
 */

/**
 * Keeps at most `capacity` entries whose weights sum to at most `maxWeight`, evicting the entries
 * read or written longest ago. An entry heavier than `maxWeight` on its own is not stored.
 */
export class LruCache<K, V> {
  readonly #entries = new Map<K, { value: V; weight: number }>();
  readonly #capacity: number;
  readonly #maxWeight: number;
  readonly #weigh: (key: K, value: V) => number;
  #weight = 0;

  constructor(capacity: number, maxWeight = Number.POSITIVE_INFINITY, weigh: (key: K, value: V) => number = () => 0) {
    this.#capacity = capacity;
    this.#maxWeight = maxWeight;
    this.#weigh = weigh;
  }

  /** Returns the cached value and marks it as most recently used. */
  get(key: K): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    // Re-inserting moves the key to the end of Map's iteration order (most recent).
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.value;
  }

  /** Stores a value, evicting least recently used entries until both bounds hold. */
  set(key: K, value: V): void {
    this.#remove(key);
    const weight = this.#weigh(key, value);
    if (weight > this.#maxWeight) return;
    this.#entries.set(key, { value, weight });
    this.#weight += weight;
    while (this.#entries.size > this.#capacity || this.#weight > this.#maxWeight) {
      const oldest = this.#entries.keys().next();
      if (oldest.done) break;
      this.#remove(oldest.value);
    }
  }

  /** Entries currently held. */
  get size(): number {
    return this.#entries.size;
  }

  /** Sum of the held entries' weights. */
  get weight(): number {
    return this.#weight;
  }

  #remove(key: K): void {
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    this.#entries.delete(key);
    this.#weight -= entry.weight;
  }
}
