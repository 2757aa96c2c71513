/**
 * Who waits for each signal, in the wait shard of the signal's name (see `signalShard`). A
 * signal name is held by at most one waiting step at a time, as in Inngest: a second
 * `step.waitForSignal` on a held name either fails (`onConflict: "fail"`) or takes the name over
 * (`"replace"`; the step it took it from keeps waiting until its own timeout, and no signal can
 * reach it any more).
 * @module
 */
import { fnv1a64Hex } from "../flow/keys";

/** The wait shard that holds a signal name. Stable across releases, like the other shard names. */
export function signalShard(signal: string): string {
  return `signal:${fnv1a64Hex(signal)}`;
}

/** A step waiting for a signal, as its shard stores it. */
export type SignalHold = {
  signal: string;
  /** The run's pause id (`<run id>:<step id>`): how the run removes it again. */
  pause_id: string;
  run_id: string;
  step_id: string;
  expires_at: number;
};

/** The shard schema's signal table, added to WAIT_SHARD_MIGRATIONS. */
export const SIGNAL_HOLDS_MIGRATION = `-- The step waiting for each signal name (at most one; see signal-holds.ts).
   CREATE TABLE signal_holds (
     signal      TEXT PRIMARY KEY,
     pause_id    TEXT NOT NULL,
     run_id      TEXT NOT NULL,
     step_id     TEXT NOT NULL,
     expires_at  INTEGER NOT NULL
   );
   CREATE INDEX signal_holds_by_pause ON signal_holds(pause_id);
   CREATE INDEX signal_holds_by_expiry ON signal_holds(expires_at);`;

/**
 * What claiming a signal name did: `held` when the step now holds it (or already did), else
 * the run that holds it and made a `"fail"` claim fail.
 */
export type SignalClaim = { held: true } | { held: false; holderRunId: string };

/** The signal table's queries; the caller owns the schema and runs each in one synchronous step. */
export class SignalHolds {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  /**
   * Claims `hold.signal` for a step. A claim by the pause that holds it already changes nothing
   * (the run's outbox may carry its effect out twice); an expired hold counts as free.
   */
  claim(hold: SignalHold, replace: boolean, now: number): SignalClaim {
    const current = this.holder(hold.signal, now);
    if (current && current.pause_id !== hold.pause_id && !replace) return { held: false, holderRunId: current.run_id };
    this.#sql.exec(
      `INSERT OR REPLACE INTO signal_holds (signal, pause_id, run_id, step_id, expires_at) VALUES (?, ?, ?, ?, ?)`,
      hold.signal,
      hold.pause_id,
      hold.run_id,
      hold.step_id,
      hold.expires_at,
    );
    return { held: true };
  }

  /** The live hold of a signal name, or null when no step waits for it. */
  holder(signal: string, now: number): SignalHold | null {
    return this.#sql.exec<SignalHold>("SELECT * FROM signal_holds WHERE signal = ? AND expires_at > ?", signal, now).toArray()[0] ?? null;
  }

  /** Drops the holds of these pauses; a name another pause took over stays with it. */
  release(pauseIds: string[]): void {
    this.#sql.exec("DELETE FROM signal_holds WHERE pause_id IN (SELECT value FROM json_each(?))", JSON.stringify(pauseIds));
  }

  /** Drops holds that expired by `now`. */
  expire(now: number): void {
    this.#sql.exec("DELETE FROM signal_holds WHERE expires_at <= ?", now);
  }

  /** The earliest expiry of a hold, or null when there is none. */
  nextExpiry(): number | null {
    return this.#sql.exec<{ at: number | null }>("SELECT min(expires_at) AS at FROM signal_holds").one().at;
  }
}
