import { CALL_LEASE_MAX_MS, CALL_LEASE_MS } from "../constants";

/**
 * The storage leases of one run's calls in flight, as this instance last wrote them, and which are
 * due for renewal. A call's lease grows with its age: CALL_LEASE_MS at first, then as long as the
 * call has been running, at most CALL_LEASE_MAX_MS. It is written again only once half of it has
 * passed.
 *
 * Why: a lease renewed at a fixed interval costs each call one storage write per interval for as
 * long as it runs, so the writes a run makes grow with how long its calls take, and calls take
 * longer when many runs are alive at once (the app and the server are shared). On the local stack
 * that made each run's cost grow with the number of live runs. Growing leases make it about
 * logarithmic in the call's length. The price is paid only after a crash: the call is made again
 * when its lease ends, so at most about as long after the crash as it had been running (and never
 * more than CALL_LEASE_MAX_MS) instead of CALL_LEASE_MS.
 */
export class CallLeases {
  readonly #leases = new Map<string, { sentAt: number; until: number; length: number }>();

  /** Notes calls just leased for CALL_LEASE_MS (their first lease). */
  sent(targets: Iterable<string>, now: number): void {
    for (const target of targets) this.#leases.set(target, { sentAt: now, until: now + CALL_LEASE_MS, length: CALL_LEASE_MS });
  }

  /** Forgets a call that ended. */
  ended(target: string): void {
    this.#leases.delete(target);
  }

  /**
   * The calls in `inFlight` whose lease is half gone, with the length to renew them for (the same
   * for all: the longest any of them earned, so that one write covers them). Notes them renewed:
   * call it only when the write follows.
   */
  due(inFlight: Iterable<string>, now: number): { targets: string[]; length: number } {
    const targets: string[] = [];
    let length = CALL_LEASE_MS;
    for (const target of inFlight) {
      const lease = this.#leases.get(target);
      if (lease && lease.until - now > lease.length / 2) continue;
      targets.push(target);
      length = Math.max(length, leaseLength(lease ? now - lease.sentAt : 0));
    }
    for (const target of targets) {
      const sentAt = this.#leases.get(target)?.sentAt ?? now;
      this.#leases.set(target, { sentAt, until: now + length, length });
    }
    return { targets, length };
  }
}

/** The lease a call that has run for `age` ms is renewed for. */
export function leaseLength(age: number): number {
  return Math.min(CALL_LEASE_MAX_MS, Math.max(CALL_LEASE_MS, age));
}
