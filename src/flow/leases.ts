/**
 * Concurrency slots for one key as expiring leases plus an ordered queue of waiters. A holder
 * is an opaque string (`<runId>/<callTarget>`); a lease that is not renewed expires, so a dead
 * RunObject never leaks a slot.
 * @module
 */

/** A held slot; it counts against the limit until released or dropped by `expire`. */
export type Lease = { holder: string; expiresAt: number };

/**
 * A holder waiting for a slot. `leaseMs` is remembered so the lease granted later, by a
 * `release` or `expire`, lasts as long as the holder asked for.
 */
export type Waiter = { holder: string; enqueuedAt: number; priority: number; seq: number; leaseMs: number };

/**
 * Leases and waiters of one key. Invariants: a holder appears at most once across `leases` and
 * `waiters`; `waiters` is sorted by `enqueuedAt − priority·1000`, then `seq`; after `release` and
 * `expire` with a fixed limit, waiters remain only when every slot is held.
 */
export type LeaseState = { leases: Lease[]; waiters: Waiter[]; seq: number };

/** What `acquire` needs: the holder, the key's limit (0 = none), lease length, priority (s). */
export interface AcquireArgs {
  holder: string;
  limit: number;
  leaseMs: number;
  priority: number;
}

/** A key with no leases and no waiters. */
export function initialLeases(): LeaseState {
  return { leases: [], waiters: [], seq: 0 };
}

function hasRoom(held: number, limit: number): boolean {
  return limit <= 0 || held < limit;
}

/** Earlier effective time first; priority N seconds moves a waiter N seconds ahead. */
function comesBefore(a: Waiter, b: Waiter): boolean {
  const ea = a.enqueuedAt - a.priority * 1000;
  const eb = b.enqueuedAt - b.priority * 1000;
  return ea !== eb ? ea < eb : a.seq < b.seq;
}

/**
 * Asks for a slot for `holder`. A holder that already has a lease gets it renewed and granted
 * again (idempotent, even if the lease is past its expiry: while it is in the table nobody else
 * has that slot); a holder already waiting keeps its place. A newcomer is granted only if a slot
 * is free and no waiter would be served before it, so it never jumps the queue; otherwise it is
 * queued. Invariant: never more leases than `limit`. Stale leases are left for `expire`, whose
 * result can report the waiters it wakes; `acquire` never grants anyone but the caller.
 */
export function acquire(state: LeaseState, now: number, args: AcquireArgs): { state: LeaseState; granted: boolean } {
  const { holder, limit, leaseMs, priority } = args;
  if (state.leases.some((l) => l.holder === holder)) {
    return { state: renew(state, now, holder, leaseMs), granted: true };
  }
  if (state.waiters.some((w) => w.holder === holder)) return { state, granted: false };

  // Never enqueue earlier than the newest waiter: after a clock step backwards, equal-priority
  // newcomers still go to the back.
  const enqueuedAt = state.waiters.reduce((latest, w) => Math.max(latest, w.enqueuedAt), now);
  const waiter: Waiter = { holder, enqueuedAt, priority, seq: state.seq, leaseMs };
  let position = state.waiters.findIndex((w) => comesBefore(waiter, w));
  if (position === -1) position = state.waiters.length;

  if (position === 0 && hasRoom(state.leases.length, limit)) {
    return { state: { ...state, leases: [...state.leases, { holder, expiresAt: now + leaseMs }] }, granted: true };
  }
  const waiters = [...state.waiters.slice(0, position), waiter, ...state.waiters.slice(position)];
  return { state: { ...state, waiters, seq: state.seq + 1 }, granted: false };
}

/**
 * Extends `holder`'s lease to `now + leaseMs`. The expiry never moves earlier, so a clock that
 * steps backwards cannot free a slot that is still in use. A holder without a lease is ignored.
 */
export function renew(state: LeaseState, now: number, holder: string, leaseMs: number): LeaseState {
  const leases = state.leases.map((l) => (l.holder === holder ? { holder, expiresAt: Math.max(l.expiresAt, now + leaseMs) } : l));
  return { ...state, leases };
}

/**
 * Drops leases whose `expiresAt ≤ now` (their runs died or stopped renewing) and grants the
 * freed slots to waiters in order. Returns the holders newly granted, to be notified.
 * Invariant: afterwards, waiters remain only if all `limit` slots are held.
 */
export function expire(state: LeaseState, now: number, limit: number): { state: LeaseState; granted: string[] } {
  return grantWaiters({ ...state, leases: state.leases.filter((l) => l.expiresAt > now) }, now, limit);
}

/**
 * Gives up `holder`'s lease or its place in the queue, drops expired leases, and grants the
 * freed slots to waiters in order. Returns the holders newly granted, to be notified. Releasing
 * an unknown holder only does the expiry.
 */
export function release(state: LeaseState, now: number, holder: string, limit: number): { state: LeaseState; granted: string[] } {
  return expire(
    {
      ...state,
      leases: state.leases.filter((l) => l.holder !== holder),
      waiters: state.waiters.filter((w) => w.holder !== holder),
    },
    now,
    limit,
  );
}

/** The earliest lease expiry, when the alarm should call `expire`; null without leases. */
export function nextExpiry(state: LeaseState): number | null {
  if (state.leases.length === 0) return null;
  return state.leases.reduce((earliest, l) => Math.min(earliest, l.expiresAt), Infinity);
}

/** Moves waiters from the front of the queue into leases while slots are free. */
function grantWaiters(state: LeaseState, now: number, limit: number): { state: LeaseState; granted: string[] } {
  let count = 0;
  while (count < state.waiters.length && hasRoom(state.leases.length + count, limit)) count++;
  if (count === 0) return { state, granted: [] };
  const promoted = state.waiters.slice(0, count);
  return {
    state: {
      ...state,
      leases: [...state.leases, ...promoted.map((w) => ({ holder: w.holder, expiresAt: now + w.leaseMs }))],
      waiters: state.waiters.slice(count),
    },
    granted: promoted.map((w) => w.holder),
  };
}
