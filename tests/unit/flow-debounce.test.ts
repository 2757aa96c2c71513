import { describe, expect, it } from "vitest";
import { debounceDue, debouncePush, initialDebounce, type DebounceState } from "../../src/flow/debounce";

const T0 = 1_767_225_600_000;
const SECOND = 1000;
const DAY = 86_400_000;

const ev = (internalId: string, ts: number) => ({ internalId, ts });

function pushAll(events: [now: number, id: string, ts: number][], cfg: { periodMs: number; timeoutMs?: number }) {
  let state: DebounceState = initialDebounce();
  const fired: string[] = [];
  for (const [now, id, ts] of events) {
    const r = debouncePush(state, now, ev(id, ts), cfg);
    state = r.state;
    if (r.fire) fired.push(r.fire);
  }
  return { state, fired };
}

describe("debouncePush", () => {
  it("opens the window with the first event", () => {
    expect(initialDebounce()).toEqual({ event: null, firstAt: null, fireAt: null });
    const { state } = pushAll([[T0, "e1", T0]], { periodMs: 2 * SECOND });
    expect(state).toEqual({ event: ev("e1", T0), firstAt: T0, fireAt: T0 + 2000 });
  });

  it("keeps the last of five rapid events and fires once, a period after it", () => {
    const events: [number, string, number][] = [0, 100, 200, 300, 400].map((d, i) => [T0 + d, `e${i + 1}`, T0 + d]);
    const { state, fired } = pushAll(events, { periodMs: 2 * SECOND });
    expect(fired).toEqual([]);
    expect(state).toEqual({ event: ev("e5", T0 + 400), firstAt: T0, fireAt: T0 + 2400 });
    expect(debounceDue(state, T0 + 2399)).toEqual({ state, fire: null });
    expect(debounceDue(state, T0 + 2400)).toEqual({ state: initialDebounce(), fire: "e5" });
  });

  it("ignores an event older than the current one: no payload change, no extension", () => {
    const { state } = pushAll(
      [
        [T0, "new", T0 + 500],
        [T0 + 1000, "old", T0],
      ],
      { periodMs: 2 * SECOND },
    );
    expect(state).toEqual({ event: ev("new", T0 + 500), firstAt: T0, fireAt: T0 + 2000 });
  });

  it("replaces the event on an equal ts", () => {
    const { state } = pushAll(
      [
        [T0, "a", T0],
        [T0 + 10, "b", T0],
      ],
      { periodMs: SECOND },
    );
    expect(state.event).toEqual(ev("b", T0));
    expect(state.fireAt).toBe(T0 + 1010);
  });

  it("caps the delay at firstAt + timeout while events keep coming", () => {
    const events: [number, string, number][] = Array.from({ length: 10 }, (_, i) => [T0 + i * SECOND, `e${i}`, T0 + i * SECOND]);
    const { state, fired } = pushAll(events.slice(0, 4), { periodMs: 2 * SECOND, timeoutMs: 5 * SECOND });
    expect(fired).toEqual([]);
    expect(state.fireAt).toBe(T0 + 5000);
    // At the cap the window is due: the next event closes it with the latest event and reopens.
    const atCap = debouncePush(state, T0 + 5000, ev("late", T0 + 5000), { periodMs: 2 * SECOND, timeoutMs: 5 * SECOND });
    expect(atCap.fire).toBe("e3");
    expect(atCap.state).toEqual({ event: ev("late", T0 + 5000), firstAt: T0 + 5000, fireAt: T0 + 7000 });
  });

  it("fires at the timeout when it is shorter than the period", () => {
    const { state } = pushAll([[T0, "e", T0]], { periodMs: 10 * SECOND, timeoutMs: 3 * SECOND });
    expect(state.fireAt).toBe(T0 + 3000);
  });

  it("extends one millisecond before the deadline but closes the window exactly at it", () => {
    const cfg = { periodMs: SECOND };
    const { state } = pushAll([[T0, "a", T0]], cfg);
    const before = debouncePush(state, T0 + 999, ev("b", T0 + 999), cfg);
    expect(before).toEqual({ state: { event: ev("b", T0 + 999), firstAt: T0, fireAt: T0 + 1999 }, fire: null });
    const at = debouncePush(state, T0 + 1000, ev("b", T0 + 1000), cfg);
    expect(at.fire).toBe("a");
    expect(at.state).toEqual({ event: ev("b", T0 + 1000), firstAt: T0 + 1000, fireAt: T0 + 2000 });
  });

  it("opens a fresh window for an old event that arrives after the window was due", () => {
    const cfg = { periodMs: SECOND };
    const { state, fired } = pushAll(
      [
        [T0, "a", T0],
        [T0 + 5000, "older", T0 - 60_000],
      ],
      cfg,
    );
    expect(fired).toEqual(["a"]);
    expect(state.event).toEqual(ev("older", T0 - 60_000));
  });

  it("never pulls fireAt earlier when the clock steps backwards", () => {
    const cfg = { periodMs: 2 * SECOND, timeoutMs: 60 * SECOND };
    const { state } = pushAll(
      [
        [T0, "a", T0],
        [T0 - 30 * SECOND, "b", T0 + 1],
      ],
      cfg,
    );
    expect(state).toEqual({ event: ev("b", T0 + 1), firstAt: T0, fireAt: T0 + 2000 });
  });

  it("handles a 7 day period", () => {
    const cfg = { periodMs: 7 * DAY };
    const { state } = pushAll(
      [
        [T0, "a", T0],
        [T0 + 6 * DAY, "b", T0 + 6 * DAY],
      ],
      cfg,
    );
    expect(state.fireAt).toBe(T0 + 13 * DAY);
    expect(debounceDue(state, T0 + 13 * DAY - 1).fire).toBeNull();
    expect(debounceDue(state, T0 + 13 * DAY).fire).toBe("b");
  });

  it("does not mutate its input", () => {
    const state = Object.freeze({ event: Object.freeze(ev("a", T0)), firstAt: T0, fireAt: T0 + 1000 });
    debouncePush(state, T0 + 10, ev("b", T0 + 10), { periodMs: SECOND });
    debouncePush(state, T0 + 2000, ev("b", T0 + 10), { periodMs: SECOND });
    debounceDue(state, T0 + 1000);
    expect(state.event).toEqual(ev("a", T0));
  });
});

describe("debounceDue", () => {
  it("does nothing without an open window", () => {
    expect(debounceDue(initialDebounce(), T0)).toEqual({ state: initialDebounce(), fire: null });
  });

  it("fires after a huge gap", () => {
    const { state } = pushAll([[T0, "a", T0]], { periodMs: SECOND });
    expect(debounceDue(state, T0 + 400 * DAY).fire).toBe("a");
  });

  it("does not fire when the clock steps backwards", () => {
    const { state } = pushAll([[T0, "a", T0]], { periodMs: SECOND });
    expect(debounceDue(state, T0 - DAY).fire).toBeNull();
  });
});
