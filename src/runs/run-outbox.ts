import { readStoredJson, UnreadableStateError } from "../util/stored-json";
import type { EmittedEvent } from "../ingest/emit-events";
import type { Pause } from "../waits/pause";
import type { SignalHold } from "../waits/signal-holds";
import { storedOutboxEntrySchema } from "./stored-run-json";

/** An effect outside the run's object, recorded in the same transaction as its cause. */
export type OutboxEntry =
  | { kind: "pause"; pause: Pause }
  | { kind: "unpause"; pauseIds: string[] }
  | { kind: "unpause_run" }
  | { kind: "emit"; events: EmittedEvent[] }
  | { kind: "invoke"; stepId: string; functionId: string; invoked: EmittedEvent; pause: Pause }
  | { kind: "release_singleton"; flow: string }
  | { kind: "signal"; hold: SignalHold; replace: boolean };

/**
 * The run's outbox: effects (pauses to write or remove, events to emit, a singleton to release)
 * stored in the same transaction as the change that caused them and carried out after it, so a
 * crash in between only delays them.
 */
export class RunOutbox {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  /** Whether effects are waiting. */
  has(): boolean {
    return this.#sql.exec("SELECT 1 FROM outbox LIMIT 1").toArray().length > 0;
  }

  /** Effects still to carry out, oldest first; an entry this build cannot read comes back as its error. */
  entries(): { seq: number; entry: OutboxEntry | UnreadableStateError }[] {
    return this.#sql
      .exec<{ seq: number; body: string }>("SELECT seq, body FROM outbox ORDER BY seq")
      .toArray()
      .map((r) => {
        const read = readStoredJson(storedOutboxEntrySchema, r.body);
        return { seq: r.seq, entry: read.ok ? read.value : new UnreadableStateError({ table: "outbox", key: String(r.seq) }, read.error) };
      });
  }

  /** Adds an effect; call inside the transaction that makes it owed. */
  add(entry: OutboxEntry): void {
    this.#sql.exec("INSERT INTO outbox (kind, body) VALUES (?, ?)", entry.kind, JSON.stringify(entry));
  }

  /** Forgets an entry once its effect is done. */
  delete(seq: number): void {
    this.#sql.exec("DELETE FROM outbox WHERE seq = ?", seq);
  }
}
