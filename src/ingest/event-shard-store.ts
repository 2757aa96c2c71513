/**
 * An event shard's SQLite: the events it accepted, kept until routing settles them and their
 * history row is written, and the 24 h dedupe claims of the user-given ids that fall in it.
 * Every method is synchronous, so a call never interleaves with another half-way.
 * @module
 */
import {
  EVENT_HISTORY_WRITE_DELAY_MS,
  EVENT_IDEMPOTENCY_WINDOW_MS,
  EVENT_REDRIVE_AFTER_MS,
  EVENT_REDRIVE_MAX_MS,
  EVENT_SHARD_KEEP_MS,
  EVENT_SHARD_RECENT_BYTES,
  MAX_INLINE_QUEUE_EVENT_BYTES,
} from "../constants";
import { migrate } from "../util/sqlite-migrate";
import { utf8Bytes } from "../util/utf8";
import { deduplicates } from "./event-shard-key";
import type { EventHistoryRow } from "./event-store";
import type { RoutedEvent } from "./routed-event";

/** The shard's schema, as numbered migrations. */
export const EVENT_SHARD_MIGRATIONS: readonly string[] = [
  `CREATE TABLE events (
     internal_id  TEXT PRIMARY KEY,
     id           TEXT NOT NULL,               -- the event's id: a sender's key, else the internal id
     event        TEXT NOT NULL,               -- the stored event as JSON
     target       TEXT,                        -- the one function a server-emitted event is for
     received_at  INTEGER NOT NULL,
     status       TEXT NOT NULL CHECK (status IN ('pending', 'routed', 'duplicate', 'failed')),
     routed_at    INTEGER,                     -- when routing settled it (or dedupe did)
     error        TEXT,                        -- why routing failed, when status is 'failed'
     redrive_at   INTEGER,                     -- when a pending event goes on the Queue again
     redrives     INTEGER NOT NULL DEFAULT 0,
     version      INTEGER NOT NULL DEFAULT 1,  -- bumped by every change
     written      INTEGER NOT NULL DEFAULT 0   -- the version D1 history holds
   );
   CREATE INDEX events_redrive ON events(redrive_at) WHERE status = 'pending';
   CREATE INDEX events_unwritten ON events(internal_id) WHERE written < version;
   CREATE INDEX events_settled ON events(routed_at) WHERE status != 'pending';
   -- A user-given id starts runs once per EVENT_IDEMPOTENCY_WINDOW_MS: the first event claims it.
   CREATE TABLE claims (
     key          TEXT PRIMARY KEY,
     internal_id  TEXT NOT NULL,
     expires_at   INTEGER NOT NULL
   );
   CREATE INDEX claims_expiry ON claims(expires_at);`,
  // When a pending event was last put on the Queue by a re-drive (null: only when it was accepted),
  // so a re-drive can tell an event the Queue has not reached yet from one it lost.
  `ALTER TABLE events ADD COLUMN sent_at INTEGER;`,
];

/** An event to store, with when it was received when that differs from the call's time. */
export type ShardItem = RoutedEvent & { receivedAt?: number };

/** How routing settled an event, as the consumer reports it. */
export interface EventMark {
  internalId: string;
  status: "routed" | "failed";
  /** Why it failed; only with `failed`. */
  error?: string;
  /** Leave an event that is no longer pending as it is. */
  onlyPending?: boolean;
}

/** A stored event as read back: its JSON (parsed by the reader, at its boundary) and its target. */
export interface HeldEvent {
  internalId: string;
  event: string;
  target: string | null;
}

/** A recently received event: its JSON and when it was received. */
export interface RecentEvent {
  internalId: string;
  event: string;
  receivedAt: number;
}

/** A pending event due to be sent again: whole when it fits a message, else by reference. */
export interface DueEvent {
  internalId: string;
  id: string;
  target: string | null;
  /** The event's JSON, or null when it is too large for a message. */
  event: string | null;
  /** When it was last sent to the Queue: at acceptance, or by its last re-drive. */
  sentAt: number;
}

/** An event row for D1 history, with the version it reflects. */
export interface UnwrittenEvent {
  internalId: string;
  version: number;
  /** The row as one JSON object, an {@link EventHistoryRow}. */
  json: string;
  bytes: number;
}

/** Synchronous access to one event shard's storage. */
export class EventShardStore {
  readonly #storage: DurableObjectStorage;
  readonly #sql: SqlStorage;

  constructor(storage: DurableObjectStorage) {
    this.#storage = storage;
    this.#sql = storage.sql;
    migrate(this.#sql, EVENT_SHARD_MIGRATIONS);
  }

  /**
   * Stores events as `pending`, or `duplicate` when their user-given id is claimed by another
   * event within the window; claims the ids of the rest. Each is received at its own `receivedAt`,
   * else the call's. An event already stored (a retried send
   * with the same seeded ids) is left as it is. Returns the ids to enqueue: those still pending.
   */
  accept(items: ShardItem[], receivedAt: number): string[] {
    return this.#storage.transactionSync(() => {
      const pending: string[] = [];
      for (const { event, target, receivedAt: itemReceivedAt } of items) {
        const now = itemReceivedAt ?? receivedAt;
        if (!deduplicates({ ...event, target })) {
          // No claim to decide: one statement stores it, and only an event already stored (a
          // retried send with the same seeded ids) needs a second, to read its status.
          if (this.#insert(event, target, now, false) || this.#isPending(event.internalId)) pending.push(event.internalId);
          continue;
        }
        const existing = this.#sql.exec<{ status: string }>("SELECT status FROM events WHERE internal_id = ?", event.internalId).toArray()[0];
        if (existing) {
          if (existing.status === "pending") pending.push(event.internalId);
          continue;
        }
        const duplicate = !this.#claim(event.id, event.internalId, now);
        this.#insert(event, target, now, duplicate);
        if (!duplicate) pending.push(event.internalId);
      }
      return pending;
    });
  }

  /** Inserts an event as `pending` (or `duplicate`) unless it is stored already; true when it was inserted. */
  #insert(event: RoutedEvent["event"], target: string | undefined, now: number, duplicate: boolean): boolean {
    return (
      this.#sql.exec(
        `INSERT INTO events (internal_id, id, event, target, received_at, status, routed_at, redrive_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (internal_id) DO NOTHING`,
        event.internalId,
        event.id,
        JSON.stringify(event),
        target ?? null,
        now,
        duplicate ? "duplicate" : "pending",
        duplicate ? now : null,
        duplicate ? null : now + EVENT_REDRIVE_AFTER_MS,
      ).rowsWritten > 0
    );
  }

  /** Whether the stored event `internalId` is still pending. */
  #isPending(internalId: string): boolean {
    return this.#sql.exec<{ status: string }>("SELECT status FROM events WHERE internal_id = ?", internalId).toArray()[0]?.status === "pending";
  }

  /** Claims `key` for `internalId` unless another event holds an unexpired claim; true when it is (now) ours. */
  #claim(key: string, internalId: string, now: number): boolean {
    const claim = this.#sql.exec<{ internal_id: string; expires_at: number }>("SELECT internal_id, expires_at FROM claims WHERE key = ?", key).toArray()[0];
    if (claim && claim.expires_at > now && claim.internal_id !== internalId) return false;
    this.#sql.exec("INSERT OR REPLACE INTO claims (key, internal_id, expires_at) VALUES (?, ?, ?)", key, internalId, now + EVENT_IDEMPOTENCY_WINDOW_MS);
    return true;
  }

  /** The stored events among `internalIds` (missing ones are left out). */
  load(internalIds: string[]): HeldEvent[] {
    const held: HeldEvent[] = [];
    for (const internalId of internalIds) {
      const row = this.#sql.exec<{ event: string; target: string | null }>("SELECT event, target FROM events WHERE internal_id = ?", internalId).toArray()[0];
      if (row) held.push({ internalId, event: row.event, target: row.target });
    }
    return held;
  }

  /**
   * Events named `name` received in [from, to) that D1 history does not hold yet, oldest first
   * (duplicates left out): what a reader of recent history adds to what D1 answers.
   */
  unwrittenNamed(name: string, from: number, to: number, limit: number): RecentEvent[] {
    const out: RecentEvent[] = [];
    let bytes = 0;
    const cursor = this.#sql.exec<{ internal_id: string; event: string; received_at: number }>(
      `SELECT internal_id, event, received_at FROM events
       WHERE written < version AND written = 0 AND status != 'duplicate' AND received_at >= ? AND received_at < ?
         AND json_valid(event) AND json_extract(event, '$.name') = ?
       ORDER BY received_at LIMIT ?`,
      from,
      to,
      name,
      limit,
    );
    // Bounded in bytes too: a reader asks every shard at once, and events may be 512 KiB each.
    for (const r of cursor) {
      bytes += utf8Bytes(r.event);
      if (out.length > 0 && bytes > EVENT_SHARD_RECENT_BYTES) break;
      out.push({ internalId: r.internal_id, event: r.event, receivedAt: r.received_at });
    }
    return out;
  }

  /**
   * Applies routing's marks: `routed` settles a pending event; `failed` settles any event (a
   * fan-out part failing after its event was routed), or only a pending one with `onlyPending`.
   * A `failed` mark stays: a later success would need a new event. Returns the ids not stored here.
   */
  mark(marks: EventMark[], now: number): string[] {
    return this.#storage.transactionSync(() => {
      const notHeld: string[] = [];
      for (const m of marks) {
        // One statement in the common case (a pending event settled); only a mark that changed
        // nothing looks again, to tell an event settled before from one not held here.
        const written = this.#sql.exec(
          `UPDATE events SET status = ?, routed_at = ?, error = ?, redrive_at = NULL, version = version + 1
           WHERE internal_id = ? AND (status = 'pending' OR ?)`,
          m.status,
          now,
          m.status === "failed" ? (m.error ?? null) : null,
          m.internalId,
          m.status === "failed" && !m.onlyPending ? 1 : 0,
        ).rowsWritten;
        if (written === 0 && this.#sql.exec("SELECT 1 FROM events WHERE internal_id = ?", m.internalId).toArray().length === 0) notHeld.push(m.internalId);
      }
      return notHeld;
    });
  }

  /** Pending events whose re-drive is due, oldest due first. */
  dueRedrives(now: number, limit: number): DueEvent[] {
    return this.#sql
      .exec<{ internal_id: string; id: string; target: string | null; event: string | null; sent_at: number }>(
        `SELECT internal_id, id, target, CASE WHEN length(CAST(event AS BLOB)) <= ? THEN event END AS event,
                coalesce(sent_at, received_at) AS sent_at
         FROM events WHERE status = 'pending' AND redrive_at <= ? ORDER BY redrive_at LIMIT ?`,
        MAX_INLINE_QUEUE_EVENT_BYTES,
        now,
        limit,
      )
      .toArray()
      .map((r) => ({ internalId: r.internal_id, id: r.id, target: r.target, event: r.event, sentAt: r.sent_at }));
  }

  /**
   * The Queue has not reached these pending events yet: their re-drive is put off until `until`,
   * without counting as one (the back-off between real re-drives does not grow while routing is behind).
   */
  postponeRedrives(internalIds: string[], until: number): void {
    this.#storage.transactionSync(() => {
      for (const internalId of internalIds) {
        this.#sql.exec("UPDATE events SET redrive_at = ? WHERE internal_id = ? AND status = 'pending'", until, internalId);
      }
    });
  }

  /** Re-drives were sent: each waits twice as long as last time before the next, up to EVENT_REDRIVE_MAX_MS. */
  noteRedriven(internalIds: string[], now: number): void {
    this.#storage.transactionSync(() => {
      for (const internalId of internalIds) {
        this.#sql.exec(
          `UPDATE events SET redrive_at = ? + min(?, ? * (1 << min(redrives, 20))), redrives = redrives + 1, sent_at = ?
           WHERE internal_id = ? AND status = 'pending'`,
          now,
          EVENT_REDRIVE_MAX_MS,
          EVENT_REDRIVE_AFTER_MS * 2,
          now,
          internalId,
        );
      }
    });
  }

  /** Events whose current version D1 history lacks, up to `maxRows` and about `maxBytes` (at least one). */
  unwritten(maxRows: number, maxBytes: number): UnwrittenEvent[] {
    const out: UnwrittenEvent[] = [];
    let bytes = 0;
    // Built from the row's own columns, so it is valid JSON whatever the stored event holds: an
    // event that no longer parses (a build changed its shape) is written as it is and cannot
    // hold up the rows beside it; readers report it as invalid.
    const cursor = this.#sql.exec<{ json: string; internal_id: string; version: number }>(
      `SELECT internal_id, version, json_object(
         'internalId', internal_id, 'id', id,
         'name', coalesce(CASE WHEN json_valid(event) THEN json_extract(event, '$.name') END, ''),
         'ts', coalesce(CASE WHEN json_valid(event) THEN json_extract(event, '$.ts') END, received_at),
         'event', CASE WHEN json_valid(event) THEN json(event) ELSE event END,
         'target', target, 'receivedAt', received_at, 'status', status, 'routedAt', routed_at, 'error', error) AS json
       FROM events WHERE written < version LIMIT ?`,
      maxRows,
    );
    for (const row of cursor) {
      const size = utf8Bytes(row.json);
      if (out.length > 0 && bytes + size > maxBytes) break;
      out.push({ internalId: row.internal_id, version: row.version, json: row.json, bytes: size });
      bytes += size;
    }
    return out;
  }

  /** D1 history now holds these versions; a row changed since stays unwritten. */
  noteWritten(rows: UnwrittenEvent[]): void {
    this.#storage.transactionSync(() => {
      // One statement for the whole batch instead of one per row.
      this.#sql.exec(
        `UPDATE events SET written = w.value ->> '$.v'
         FROM json_each(?) AS w
         WHERE events.internal_id = w.value ->> '$.id' AND events.written < w.value ->> '$.v'`,
        JSON.stringify(rows.map((r) => ({ id: r.internalId, v: r.version }))),
      );
    });
  }

  /**
   * Deletes expired claims and events settled and written more than EVENT_SHARD_KEEP_MS ago,
   * at most `limit` of each. True when a limit was reached (more are due now).
   */
  deleteExpired(now: number, limit: number): boolean {
    return this.#storage.transactionSync(() => {
      const claims = this.#sql.exec<{ key: string }>("SELECT key FROM claims WHERE expires_at <= ? LIMIT ?", now, limit).toArray();
      for (const { key } of claims) this.#sql.exec("DELETE FROM claims WHERE key = ?", key);
      const events = this.#sql
        .exec<{ internal_id: string }>(
          "SELECT internal_id FROM events WHERE status != 'pending' AND routed_at <= ? AND written >= version LIMIT ?",
          now - EVENT_SHARD_KEEP_MS,
          limit,
        )
        .toArray();
      for (const { internal_id } of events) this.#sql.exec("DELETE FROM events WHERE internal_id = ?", internal_id);
      return claims.length >= limit || events.length >= limit;
    });
  }

  /**
   * When the alarm should next ring: soon while history is unwritten, else at the first re-drive,
   * claim expiry or deletion due; null when nothing is left to do.
   */
  nextWakeAt(now: number): number | null {
    if (this.#sql.exec("SELECT 1 FROM events WHERE written < version LIMIT 1").toArray().length > 0) return now + EVENT_HISTORY_WRITE_DELAY_MS;
    const row = this.#sql
      .exec<{ redrive: number | null; claim: number | null; settled: number | null }>(
        `SELECT (SELECT min(redrive_at) FROM events WHERE status = 'pending') AS redrive,
                (SELECT min(expires_at) FROM claims) AS claim,
                (SELECT min(routed_at) FROM events WHERE status != 'pending') AS settled`,
      )
      .one();
    const times = [row.redrive, row.claim, row.settled === null ? null : row.settled + EVENT_SHARD_KEEP_MS].filter((t): t is number => t !== null);
    return times.length === 0 ? null : Math.max(Math.min(...times), now + EVENT_HISTORY_WRITE_DELAY_MS);
  }
}
