import { describe, expect, it } from "vitest";
import { acquire, expire, initialLeases, nextExpiry, release, renew, type LeaseState } from "../../src/flow/leases";
import { seededRandom } from "../e2e/harness/random";

const T0 = 1_767_225_600_000;
const LEASE = 30_000;

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/** Acquires for each holder in turn at `now`, returning the state and who was granted. */
function acquireAll(state: LeaseState, now: number, holders: string[], limit: number, priority = 0) {
  const granted: string[] = [];
  for (const holder of holders) {
    const r = acquire(state, now, { holder, limit, leaseMs: LEASE, priority });
    state = r.state;
    if (r.granted) granted.push(holder);
  }
  return { state, granted };
}

const holders = (state: LeaseState) => state.leases.map((l) => l.holder);
const queue = (state: LeaseState) => state.waiters.map((w) => w.holder);

describe("acquire", () => {
  it("grants up to the limit, then queues", () => {
    const { state, granted } = acquireAll(initialLeases(), T0, ["a", "b", "c", "d"], 2);
    expect(granted).toEqual(["a", "b"]);
    expect(holders(state)).toEqual(["a", "b"]);
    expect(queue(state)).toEqual(["c", "d"]);
    expect(state.leases[0]).toEqual({ holder: "a", expiresAt: T0 + LEASE });
  });

  it("treats a limit of 0 as unlimited", () => {
    const names = Array.from({ length: 50 }, (_, i) => `r${i}`);
    expect(acquireAll(initialLeases(), T0, names, 0).granted).toEqual(names);
  });

  it("renews and re-grants a holder that already has a lease, without a second lease", () => {
    let { state } = acquireAll(initialLeases(), T0, ["a"], 1);
    const again = acquire(state, T0 + 5000, { holder: "a", limit: 1, leaseMs: LEASE, priority: 0 });
    expect(again.granted).toBe(true);
    state = again.state;
    expect(state.leases).toEqual([{ holder: "a", expiresAt: T0 + 5000 + LEASE }]);
  });

  it("revives its own lease past expiry while it is still in the table", () => {
    const { state } = acquireAll(initialLeases(), T0, ["a"], 1);
    const late = acquire(state, T0 + LEASE + 10, { holder: "a", limit: 1, leaseMs: LEASE, priority: 0 });
    expect(late.granted).toBe(true);
    expect(late.state.leases).toEqual([{ holder: "a", expiresAt: T0 + 2 * LEASE + 10 }]);
  });

  it("keeps a waiting holder in its place when it asks again", () => {
    const { state } = acquireAll(initialLeases(), T0, ["a", "b", "c"], 1);
    const again = acquire(state, T0 + 1, { holder: "b", limit: 1, leaseMs: LEASE, priority: 600 });
    expect(again.granted).toBe(false);
    expect(queue(again.state)).toEqual(["b", "c"]);
    expect(again.state).toEqual(state);
  });

  it("never lets a newcomer jump the queue when the limit is raised", () => {
    const { state } = acquireAll(initialLeases(), T0, ["a", "b"], 1);
    const newcomer = acquire(state, T0 + 1, { holder: "c", limit: 2, leaseMs: LEASE, priority: 0 });
    expect(newcomer.granted).toBe(false);
    expect(queue(newcomer.state)).toEqual(["b", "c"]);
    const next = release(newcomer.state, T0 + 2, "zzz", 2);
    expect(next.granted).toEqual(["b"]);
  });

  it("lets a higher-priority newcomer take a free slot ahead of older waiters", () => {
    const { state } = acquireAll(initialLeases(), T0, ["a", "b"], 1);
    const urgent = acquire(state, T0 + 1000, { holder: "c", limit: 2, leaseMs: LEASE, priority: 60 });
    expect(urgent.granted).toBe(true);
    expect(queue(urgent.state)).toEqual(["b"]);
  });

  it("orders waiters by priority seconds, then arrival", () => {
    let { state } = acquireAll(initialLeases(), T0, ["busy"], 1);
    state = acquireAll(state, T0, ["w1"], 1).state;
    state = acquireAll(state, T0 + 10_000, ["w2"], 1).state;
    state = acquireAll(state, T0 + 20_000, ["high"], 1, 15).state; // effective T0 + 5 s: between w1 and w2
    state = acquireAll(state, T0 + 20_000, ["low"], 1, -600).state;
    state = acquireAll(state, T0 + 20_000, ["top"], 1, 600).state;
    state = acquireAll(state, T0 + 30_000, ["tie"], 1, 20).state; // effective T0 + 10 s: after w2 (seq)
    expect(queue(state)).toEqual(["top", "w1", "high", "w2", "tie", "low"]);
  });

  it("keeps arrival order for waiters enqueued after the clock stepped backwards", () => {
    let { state } = acquireAll(initialLeases(), T0, ["busy", "w1"], 1);
    state = acquireAll(state, T0 - 60_000, ["w2"], 1).state;
    expect(queue(state)).toEqual(["w1", "w2"]);
  });

  it("does not mutate its input", () => {
    const state = deepFreeze(acquireAll(initialLeases(), T0, ["a", "b"], 1).state);
    acquire(state, T0, { holder: "c", limit: 1, leaseMs: LEASE, priority: 0 });
    acquire(state, T0, { holder: "a", limit: 1, leaseMs: LEASE, priority: 0 });
    release(state, T0, "a", 1);
    expire(state, T0 + 2 * LEASE, 1);
    renew(state, T0, "a", LEASE);
  });
});

describe("release", () => {
  it("hands the freed slot to waiters in FIFO order", () => {
    let { state } = acquireAll(initialLeases(), T0, ["a", "b", "c", "d"], 2);
    const first = release(state, T0 + 1, "a", 2);
    expect(first.granted).toEqual(["c"]);
    state = first.state;
    expect(holders(state)).toEqual(["b", "c"]);
    expect(state.leases[1]).toEqual({ holder: "c", expiresAt: T0 + 1 + LEASE });
    expect(release(state, T0 + 2, "b", 2).granted).toEqual(["d"]);
  });

  it("removes a waiter without granting anyone", () => {
    const { state } = acquireAll(initialLeases(), T0, ["a", "b", "c"], 1);
    const r = release(state, T0 + 1, "b", 1);
    expect(r.granted).toEqual([]);
    expect(holders(r.state)).toEqual(["a"]);
    expect(queue(r.state)).toEqual(["c"]);
  });

  it("grants several waiters when the limit was raised", () => {
    const { state } = acquireAll(initialLeases(), T0, ["a", "b", "c", "d"], 1);
    const r = release(state, T0 + 1, "a", 3);
    expect(r.granted).toEqual(["b", "c", "d"]);
    expect(r.state.waiters).toEqual([]);
  });

  it("ignores an unknown holder", () => {
    const { state } = acquireAll(initialLeases(), T0, ["a", "b"], 1);
    const r = release(state, T0 + 1, "nobody", 1);
    expect(r.granted).toEqual([]);
    expect(r.state).toEqual(state);
  });

  it("gives a granted waiter the lease length it asked for", () => {
    let state = acquire(initialLeases(), T0, { holder: "a", limit: 1, leaseMs: LEASE, priority: 0 }).state;
    state = acquire(state, T0, { holder: "b", limit: 1, leaseMs: 5_000, priority: 0 }).state;
    expect(release(state, T0 + 100, "a", 1).state.leases).toEqual([{ holder: "b", expiresAt: T0 + 5_100 }]);
  });
});

describe("expire and nextExpiry", () => {
  it("frees the slot of a crashed holder at its expiry and grants the next waiter", () => {
    const { state } = acquireAll(initialLeases(), T0, ["crashed", "next"], 1);
    expect(nextExpiry(state)).toBe(T0 + LEASE);
    const early = expire(state, T0 + LEASE - 1, 1);
    expect(early.granted).toEqual([]);
    expect(early.state).toEqual(state);
    const due = expire(state, T0 + LEASE, 1);
    expect(due.granted).toEqual(["next"]);
    expect(holders(due.state)).toEqual(["next"]);
    expect(nextExpiry(due.state)).toBe(T0 + 2 * LEASE);
  });

  it("reports no expiry without leases", () => {
    expect(nextExpiry(initialLeases())).toBeNull();
  });

  it("keeps leases when the clock steps backwards", () => {
    const { state } = acquireAll(initialLeases(), T0, ["a", "b"], 1);
    const r = expire(state, T0 - 3_600_000, 1);
    expect(r.granted).toEqual([]);
    expect(holders(r.state)).toEqual(["a"]);
  });

  it("frees every slot after a huge gap", () => {
    const { state } = acquireAll(initialLeases(), T0, ["a", "b", "c", "d", "e"], 2);
    const r = expire(state, T0 + 365 * 86_400_000, 2);
    expect(r.granted).toEqual(["c", "d"]);
    expect(queue(r.state)).toEqual(["e"]);
  });
});

describe("renew", () => {
  it("extends a lease from now", () => {
    const { state } = acquireAll(initialLeases(), T0, ["a"], 1);
    expect(renew(state, T0 + 10_000, "a", LEASE).leases).toEqual([{ holder: "a", expiresAt: T0 + 40_000 }]);
  });

  it("never shortens a lease, even when the clock steps backwards", () => {
    const { state } = acquireAll(initialLeases(), T0, ["a"], 1);
    expect(renew(state, T0 - 20_000, "a", LEASE).leases).toEqual([{ holder: "a", expiresAt: T0 + LEASE }]);
    expect(renew(state, T0, "a", 1_000).leases).toEqual([{ holder: "a", expiresAt: T0 + LEASE }]);
  });

  it("ignores a holder without a lease", () => {
    const { state } = acquireAll(initialLeases(), T0, ["a", "b"], 1);
    expect(renew(state, T0 + 1, "b", LEASE)).toEqual(state);
  });
});

describe("lease table under random interleavings", () => {
  it("never exceeds the limit, serves waiters in order and tells each holder once", () => {
    const rand = seededRandom(2026);
    for (let round = 0; round < 60; round++) {
      const limit = 1 + Math.floor(rand() * 4);
      let state = initialLeases();
      let now = T0;
      const told = new Set<string>();
      let next = 0;
      const pick = () => {
        const known = [...holders(state), ...queue(state)];
        return known.length > 0 && rand() < 0.8 ? known[Math.floor(rand() * known.length)]! : `r${next++}`;
      };
      for (let step = 0; step < 300; step++) {
        const r = rand();
        now += r < 0.05 ? -Math.floor(rand() * 60_000) : Math.floor(rand() * 5_000);
        const before = queue(state);
        let granted: string[] = [];
        if (r < 0.45) {
          const holder = pick();
          const wasWaiting = before.includes(holder);
          const result = acquire(state, now, { holder, limit, leaseMs: 1_000 + Math.floor(rand() * 20_000), priority: Math.floor(rand() * 5) * 30 - 60 });
          state = result.state;
          if (wasWaiting) expect(result.granted).toBe(false);
          if (result.granted && !told.has(holder)) granted = [holder];
        } else if (r < 0.75) {
          const holder = pick();
          const result = release(state, now, holder, limit);
          state = result.state;
          granted = result.granted;
          // Waiters are served from the front of the queue, in order.
          expect(granted).toEqual(before.filter((h) => h !== holder).slice(0, granted.length));
          if (queue(state).length > 0) expect(state.leases.length).toBe(limit);
        } else if (r < 0.9) {
          const result = expire(state, now, limit);
          state = result.state;
          granted = result.granted;
          expect(granted).toEqual(before.slice(0, granted.length));
          if (queue(state).length > 0) expect(state.leases.length).toBe(limit);
        } else {
          const holder = pick();
          state = renew(state, now, holder, 10_000);
        }
        // Leases dropped by expiry end silently; the holder was told once and is now gone.
        const held = new Set(holders(state));
        for (const holder of told) if (!held.has(holder)) told.delete(holder);
        for (const holder of granted) {
          expect(told.has(holder)).toBe(false);
          told.add(holder);
        }
        expect(state.leases.length).toBeLessThanOrEqual(limit);
        const everyone = [...holders(state), ...queue(state)];
        expect(new Set(everyone).size).toBe(everyone.length);
        expect([...held].sort()).toEqual([...told].sort());
        const sorted = state.waiters.every((w, i) => {
          const prev = state.waiters[i - 1];
          if (!prev) return true;
          const [e0, e1] = [prev.enqueuedAt - prev.priority * 1000, w.enqueuedAt - w.priority * 1000];
          return e0 < e1 || (e0 === e1 && prev.seq < w.seq);
        });
        expect(sorted).toBe(true);
      }
      // Everyone left is eventually served once the holders finish.
      while (state.leases.length > 0) state = release(state, now, state.leases[0]!.holder, limit).state;
      expect(state.waiters).toEqual([]);
    }
  });
});
