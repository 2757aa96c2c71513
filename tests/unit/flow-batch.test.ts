import { describe, expect, it } from "vitest";
import { BATCH_MAX_BYTES } from "../../src/constants";
import { batchDeadline, batchDue, batchPush, initialBatch, type BatchState } from "../../src/flow/batch";

const T0 = 1_767_225_600_000;
const cfg = { maxSize: 5, timeoutMs: 2000, maxBytes: BATCH_MAX_BYTES };

describe("batchPush and batchDue", () => {
  it("turns 12 events into batches of 5, 5 and, after the timeout, 2", () => {
    let state: BatchState = initialBatch();
    const flushes: string[][] = [];
    for (let i = 0; i < 12; i++) {
      const r = batchPush(state, T0 + i * 10, { internalId: `e${i}`, bytes: 100 }, cfg);
      state = r.state;
      if (r.flush) flushes.push(r.flush);
    }
    expect(flushes).toEqual([
      ["e0", "e1", "e2", "e3", "e4"],
      ["e5", "e6", "e7", "e8", "e9"],
    ]);
    expect(state.openedAt).toBe(T0 + 100);
    expect(batchDeadline(state, cfg.timeoutMs)).toBe(T0 + 2100);
    expect(batchDue(state, T0 + 2099, cfg.timeoutMs)).toEqual({ state, flush: null });
    expect(batchDue(state, T0 + 2100, cfg.timeoutMs)).toEqual({ state: initialBatch(), flush: ["e10", "e11"] });
  });

  it("opens on the first event and has no deadline when empty", () => {
    expect(batchDeadline(initialBatch(), 1000)).toBeNull();
    const r = batchPush(initialBatch(), T0, { internalId: "a", bytes: 1 }, cfg);
    expect(r).toEqual({ state: { events: [{ internalId: "a", bytes: 1 }], openedAt: T0 }, flush: null });
  });

  it("starts early once the byte cap is reached, including the event that reached it", () => {
    const small = { maxSize: 100, timeoutMs: 60_000, maxBytes: 1000 };
    let state = batchPush(initialBatch(), T0, { internalId: "a", bytes: 600 }, small).state;
    const r = batchPush(state, T0 + 1, { internalId: "b", bytes: 400 }, small);
    expect(r.flush).toEqual(["a", "b"]);
    state = batchPush(initialBatch(), T0, { internalId: "c", bytes: 999 }, small).state;
    expect(state.events).toHaveLength(1);
  });

  it("uses the 10 MiB cap by default", () => {
    const noCap = { maxSize: 100, timeoutMs: 60_000 };
    const state = batchPush(initialBatch(), T0, { internalId: "a", bytes: BATCH_MAX_BYTES - 1 }, noCap).state;
    expect(batchPush(state, T0, { internalId: "b", bytes: 1 }, noCap).flush).toEqual(["a", "b"]);
  });

  it("adds a redelivered event only once", () => {
    let state = batchPush(initialBatch(), T0, { internalId: "a", bytes: 1 }, cfg).state;
    state = batchPush(state, T0 + 1, { internalId: "a", bytes: 1 }, cfg).state;
    expect(state.events.map((e) => e.internalId)).toEqual(["a"]);
  });

  it("flushes with the new event when the batch is past its timeout but its alarm has not run", () => {
    const state = batchPush(initialBatch(), T0, { internalId: "a", bytes: 1 }, cfg).state;
    expect(batchPush(state, T0 + 1999, { internalId: "b", bytes: 1 }, cfg).flush).toBeNull();
    expect(batchPush(state, T0 + 2000, { internalId: "b", bytes: 1 }, cfg)).toEqual({ state: initialBatch(), flush: ["a", "b"] });
  });

  it("keeps the deadline when the clock steps backwards and flushes after a huge gap", () => {
    let state = batchPush(initialBatch(), T0, { internalId: "a", bytes: 1 }, cfg).state;
    state = batchPush(state, T0 - 60_000, { internalId: "b", bytes: 1 }, cfg).state;
    expect(batchDeadline(state, cfg.timeoutMs)).toBe(T0 + 2000);
    expect(batchDue(state, T0 - 60_000, cfg.timeoutMs).flush).toBeNull();
    expect(batchDue(state, T0 + 365 * 86_400_000, cfg.timeoutMs).flush).toEqual(["a", "b"]);
  });

  it("does nothing when no batch is open", () => {
    expect(batchDue(initialBatch(), T0, 0)).toEqual({ state: initialBatch(), flush: null });
  });

  it("does not mutate its input", () => {
    const state = Object.freeze({ events: Object.freeze([Object.freeze({ internalId: "a", bytes: 1 })]), openedAt: T0 }) as BatchState;
    batchPush(state, T0, { internalId: "b", bytes: 1 }, cfg);
    batchDue(state, T0 + 5000, 1000);
    expect(state.events).toHaveLength(1);
  });
});
