import { WAIT_EXPIRE_BATCH, WAIT_MATCH_PATHS_PER_NAME } from "../constants";
import { toSdkEvent, type StoredEvent } from "../ingest/event";
import { migrate } from "../util/sqlite-migrate";
import { shardSatisfies } from "./match-pauses";
import type { PauseKind, PauseRow } from "./pause";
import { SIGNAL_HOLDS_MIGRATION, SignalHolds, type SignalClaim, type SignalHold } from "./signal-holds";

/**
 * A WaitShardObject's SQLite schema. Every shard has both tables; only name shards fill
 * `match_paths` (see shard-names.ts).
 */
export const WAIT_SHARD_MIGRATIONS: readonly string[] = [
  `-- Runs paused on an event: a waitForEvent, an invoked child (by correlation id), a cancelOn listener.
   CREATE TABLE pauses (
     id             TEXT PRIMARY KEY,            -- <run id>:<step id>, or <run id>:cancel:<rule index>
     run_id         TEXT NOT NULL,
     step_id        TEXT,                        -- null for cancel listeners
     kind           TEXT NOT NULL CHECK (kind IN ('wait', 'invoke', 'cancel')),
     event_name     TEXT NOT NULL,
     expression     TEXT,                        -- CEL over event (the run's trigger) and async
     match_path     TEXT,                        -- e.g. 'data.orderId': where to look in the incoming event
     match_value    TEXT,                        -- the JSON value it must equal
     trigger_event  TEXT NOT NULL,               -- the run's triggering event, for event. in expressions
     created_at     INTEGER NOT NULL,
     expires_at     INTEGER NOT NULL
   );
   CREATE INDEX pauses_by_expiry ON pauses(expires_at);
   -- A name shard's registry: the match paths that equality shards of each event name use.
   -- An entry lives as long as the longest-lived wait registered with it.
   CREATE TABLE match_paths (
     event_name  TEXT NOT NULL,
     path        TEXT NOT NULL,
     expires_at  INTEGER NOT NULL,
     PRIMARY KEY (event_name, path)
   );`,
  SIGNAL_HOLDS_MIGRATION,
];

/** A pause a shard found for an incoming event: what it takes to resume (or cancel) the run. */
export interface ShardMatch {
  pauseId: string;
  runId: string;
  stepId: string | null;
  kind: PauseKind;
  /** The incoming event's internal id. */
  eventId: string;
}

/** What one shard lookup found. */
export interface ShardLookup {
  /** Matches, at most the limit asked for, each pause once, by the earliest event that satisfies it. */
  matches: ShardMatch[];
  /** Whether the shard stopped at the limit, so more of its pauses may match these events. */
  more: boolean;
  /** For a name shard: the match paths registered for the events' names, to look up next. */
  paths: { eventName: string; path: string }[];
}

/**
 * One wait shard's state: its pauses, its registry of match paths, and when its alarm is due.
 * Every method is one synchronous step, so calls to the shard never interleave half-way.
 *
 * The schema is created by the first write, not when the object starts: most shards are only
 * ever asked (an event name nothing waits on), and a shard emptied of its waits is wiped (see
 * `isEmpty`), so neither leaves storage behind.
 */
export class WaitShardStore {
  readonly #sql: SqlStorage;
  readonly #signals: SignalHolds;
  #ready: boolean;

  constructor(storage: DurableObjectStorage) {
    this.#sql = storage.sql;
    this.#signals = new SignalHolds(storage.sql);
    this.#ready = this.#hasSchema();
    if (this.#ready) migrate(this.#sql, WAIT_SHARD_MIGRATIONS);
  }

  /** Stores a pause; storing it again changes nothing. */
  register(row: PauseRow): void {
    this.#prepare();
    this.#sql.exec(
      `INSERT OR IGNORE INTO pauses (id, run_id, step_id, kind, event_name, expression, match_path, match_value,
         trigger_event, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      row.id,
      row.run_id,
      row.step_id,
      row.kind,
      row.event_name,
      row.expression,
      row.match_path,
      row.match_value,
      row.trigger_event,
      row.created_at,
      row.expires_at,
    );
  }

  /**
   * Lists a match path for an event name until `until` at least, and returns until when it is
   * listed. Null when the name already lists WAIT_MATCH_PATHS_PER_NAME other live paths: the
   * wait then stays unindexed here.
   */
  notePath(eventName: string, path: string, until: number, now: number): number | null {
    this.#prepare();
    const listed = this.#sql
      .exec<{ path: string }>("SELECT path FROM match_paths WHERE event_name = ? AND expires_at > ?", eventName, now)
      .toArray()
      .map((r) => r.path);
    if (!listed.includes(path) && listed.length >= WAIT_MATCH_PATHS_PER_NAME) return null;
    return this.#sql
      .exec<{ expires_at: number }>(
        `INSERT INTO match_paths (event_name, path, expires_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (event_name, path) DO UPDATE SET expires_at = max(expires_at, ?3)
         RETURNING expires_at`,
        eventName,
        path,
        until,
      )
      .one().expires_at;
  }

  /**
   * Finds the live pauses that `events` satisfy, in the order the pauses were stored, stopping
   * at `limit` matches. Pauses are read one at a time from a cursor, so stopping early reads no
   * more of them. Also returns the registered paths of the events' names.
   */
  lookup(events: StoredEvent[], now: number, limit: number): ShardLookup {
    if (!this.#ready) return { matches: [], more: false, paths: [] };
    const incoming = events.map((event) => ({ event, sdk: toSdkEvent(event) }));
    const matches: ShardMatch[] = [];
    let more = false;
    for (const row of this.#sql.exec("SELECT * FROM pauses WHERE expires_at > ? ORDER BY rowid", now)) {
      // The table's columns and CHECK constraint are exactly PauseRow's.
      const pause = row as unknown as PauseRow;
      const hit = incoming.find(({ event, sdk }) => shardSatisfies(pause, event, sdk));
      if (!hit) continue;
      if (matches.length >= limit) {
        more = true;
        break;
      }
      matches.push({ pauseId: pause.id, runId: pause.run_id, stepId: pause.step_id, kind: pause.kind, eventId: hit.event.internalId });
    }
    const names = [...new Set(events.map((e) => e.name))];
    const paths = this.#sql
      .exec<{ event_name: string; path: string }>(
        "SELECT event_name, path FROM match_paths WHERE event_name IN (SELECT value FROM json_each(?)) AND expires_at > ?",
        JSON.stringify(names),
        now,
      )
      .toArray()
      .map((r) => ({ eventName: r.event_name, path: r.path }));
    return { matches, more, paths };
  }

  /** Removes pauses by id, and the signal names they hold; ids not here are ignored. */
  remove(ids: string[]): void {
    if (!this.#ready) return;
    this.#sql.exec("DELETE FROM pauses WHERE id IN (SELECT value FROM json_each(?))", JSON.stringify(ids));
    this.#signals.release(ids);
  }

  /** Claims a signal name for a waiting step (see signal-holds.ts). */
  claimSignal(hold: SignalHold, replace: boolean, now: number): SignalClaim {
    this.#prepare();
    return this.#signals.claim(hold, replace, now);
  }

  /** The step waiting for a signal name, or null. */
  signalHolder(signal: string, now: number): SignalHold | null {
    return this.#ready ? this.#signals.holder(signal, now) : null;
  }

  /**
   * Deletes up to WAIT_EXPIRE_BATCH expired pauses and the expired registry entries. Returns when
   * the alarm is next due: now when more expired pauses are left, else the next expiry, or null
   * when the shard is empty.
   */
  expire(now: number): number | null {
    if (!this.#ready) return null;
    this.#sql.exec("DELETE FROM pauses WHERE id IN (SELECT id FROM pauses WHERE expires_at <= ? ORDER BY expires_at LIMIT ?)", now, WAIT_EXPIRE_BATCH);
    this.#sql.exec("DELETE FROM match_paths WHERE expires_at <= ?", now);
    this.#signals.expire(now);
    return this.nextExpiry();
  }

  /** The earliest expiry of anything stored (pause, registry entry, signal hold), or null when empty. */
  nextExpiry(): number | null {
    if (!this.#ready) return null;
    const waits = this.#sql
      .exec<{ at: number | null }>("SELECT min(at) AS at FROM (SELECT min(expires_at) AS at FROM pauses UNION ALL SELECT min(expires_at) FROM match_paths)")
      .one().at;
    const signals = this.#signals.nextExpiry();
    return waits === null ? signals : signals === null ? waits : Math.min(waits, signals);
  }

  /** Whether the shard has storage but holds nothing in it (no pause, no registry entry): it may be wiped. */
  isEmpty(): boolean {
    return this.#ready && this.nextExpiry() === null;
  }

  /** Forgets the schema after the object's storage was wiped; the next write creates it again. */
  wiped(): void {
    this.#ready = false;
  }

  #prepare(): void {
    if (this.#ready) return;
    migrate(this.#sql, WAIT_SHARD_MIGRATIONS);
    this.#ready = true;
  }

  #hasSchema(): boolean {
    return this.#sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_migrations'").toArray().length > 0;
  }
}
