/** A pause and the shard that holds it. */
export interface LocatedPause {
  id: string;
  shard: string;
}

const PREFIX = "pause-shard:";

/**
 * Where a run's pauses are stored, kept in the run's own object (its synchronous key-value
 * storage, beside its SQLite tables). A pause's shard depends on its name's registry when it was
 * registered, so it is recorded rather than derived; with it, a run that resolves a wait or ends
 * removes its pauses from exactly the shards that hold them, without asking any index.
 */
export class PauseLocations {
  readonly #kv: SyncKvStorage;

  constructor(kv: SyncKvStorage) {
    this.#kv = kv;
  }

  /** Records the shard of a pause (before it is stored there). */
  record(pauseId: string, shard: string): void {
    this.#kv.put(PREFIX + pauseId, shard);
  }

  /** The recorded pauses among `ids`; a pause never registered has no record. */
  located(ids: string[]): LocatedPause[] {
    return ids.flatMap((id) => {
      const shard = this.#kv.get<string>(PREFIX + id);
      return shard === undefined ? [] : [{ id, shard }];
    });
  }

  /** Every recorded pause of the run. */
  all(): LocatedPause[] {
    return [...this.#kv.list<string>({ prefix: PREFIX })].map(([key, shard]) => ({ id: key.slice(PREFIX.length), shard }));
  }

  /** Drops the records of pauses that were removed. */
  forget(ids: string[]): void {
    for (const id of ids) this.#kv.delete(PREFIX + id);
  }
}
