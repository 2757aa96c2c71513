import { CALL_LEASE_MS } from "../constants";
import type { LeasedCall } from "./run-rows";
import type { GatewayRequest, Transition } from "./transition";

/**
 * The run's calls table: each call it owes (a step to run, a gateway request), when it is due,
 * and the lease of one in flight. A leased call whose object died comes due again when its lease
 * ends; `gen` tells a call asked for again apart from the one in flight.
 */
export class RunCalls {
  readonly #storage: DurableObjectStorage;
  readonly #sql: SqlStorage;

  constructor(storage: DurableObjectStorage) {
    this.#storage = storage;
    this.#sql = storage.sql;
  }

  /** Calls due now and not already in flight in this instance, oldest first. */
  due(now: number, inFlight: ReadonlySet<string>, limit: number): LeasedCall[] {
    if (limit <= 0) return [];
    return this.#sql
      .exec<LeasedCall>(
        `SELECT target, attempt, gen, kind, detail FROM calls
         WHERE due_at <= ? AND (leased_until IS NULL OR leased_until <= ?)
         ORDER BY due_at`,
        now,
        now,
      )
      .toArray()
      .filter((c) => !inFlight.has(c.target))
      .slice(0, limit);
  }

  /** Marks calls as being made for `length` ms; if the object dies, they come due again when the lease ends. */
  lease(targets: Iterable<string>, now: number, length = CALL_LEASE_MS): void {
    const until = now + length;
    this.#storage.transactionSync(() => {
      for (const target of targets) this.#sql.exec("UPDATE calls SET leased_until = ? WHERE target = ?", until, target);
    });
  }

  /** The call owed for `target`, or null when none is. */
  get(target: string): LeasedCall | null {
    return this.#sql.exec<LeasedCall>("SELECT target, attempt, gen, kind, detail FROM calls WHERE target = ?", target).toArray()[0] ?? null;
  }

  /**
   * Counts a call as in flight until `until` (never sooner than its lease already says): a
   * durable endpoint's own request is running it, and reports back until it stops.
   */
  hold(target: string, until: number): void {
    this.#sql.exec("UPDATE calls SET leased_until = max(coalesce(leased_until, 0), ?) WHERE target = ?", until, target);
  }

  /** Puts a call that got no concurrency slot aside until `recheckAt` (or an earlier grant). */
  park(call: LeasedCall, recheckAt: number): void {
    this.#sql.exec("UPDATE calls SET due_at = ?, leased_until = NULL WHERE target = ? AND gen = ?", recheckAt, call.target, call.gen);
  }

  /** A slot was granted to a parked call: it is due now. False if no such call waits. */
  unpark(target: string, now: number): boolean {
    return this.#sql.exec("UPDATE calls SET due_at = ? WHERE target = ? AND leased_until IS NULL", now, target).rowsWritten > 0;
  }

  /** Asks for a call now; one already asked for starts over at its first attempt, as a new generation. */
  request(target: string, now: number, kind: "sdk" | "gateway" = "sdk", detail: GatewayRequest | null = null): void {
    this.#sql.exec(
      `INSERT INTO calls (target, kind, detail, attempt, due_at, leased_until, gen) VALUES (?, ?, ?, 0, ?, NULL, 0)
       ON CONFLICT (target) DO UPDATE SET attempt = 0, due_at = excluded.due_at, gen = gen + 1`,
      target,
      kind,
      detail === null ? null : JSON.stringify(detail),
      now,
    );
  }

  /** Settles the answered call: due again for its retry, or done. */
  settle(call: LeasedCall, t: Transition): void {
    if (t.retry) {
      this.#sql.exec(
        "UPDATE calls SET attempt = ?, due_at = ?, leased_until = NULL WHERE target = ? AND gen = ?",
        t.retry.attempt,
        t.retry.dueAt,
        call.target,
        call.gen,
      );
    } else {
      this.#sql.exec("DELETE FROM calls WHERE target = ? AND gen = ?", call.target, call.gen);
    }
    // Asked for again while in flight: the newer request is due as soon as this one is settled.
    this.#sql.exec("UPDATE calls SET leased_until = NULL WHERE target = ?", call.target);
  }
}
