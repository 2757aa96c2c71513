/**
 * An event batch for one key: it starts a run when it holds `maxSize` events, when its events
 * reach `maxBytes`, or `timeoutMs` after its first event.
 * @module
 */
import { BATCH_MAX_BYTES } from "../constants";

/** A buffered event: its stored id and its size in bytes. */
export type BatchedEvent = { internalId: string; bytes: number };

/** The open batch, in arrival order; `openedAt` is null exactly when `events` is empty. */
export type BatchState = { events: BatchedEvent[]; openedAt: number | null };

/** Batch settings; `maxBytes` defaults to Inngest's 10 MiB cap. */
export interface BatchConfig {
  maxSize: number;
  timeoutMs: number;
  maxBytes?: number;
}

/** No open batch. */
export function initialBatch(): BatchState {
  return { events: [], openedAt: null };
}

/**
 * Appends an event (the first opens the batch at `now`) and flushes when the batch reaches
 * `maxSize` events or `maxBytes` bytes, or is already past its timeout because its alarm has not
 * run yet. A flush returns the ids in arrival order and resets the state. The event that crosses
 * the byte cap is included, as Inngest does (events are far smaller than the cap). An id already
 * in the batch is not added twice, so a redelivered event is harmless. Invariant: an unflushed
 * batch holds fewer than `maxSize` events.
 */
export function batchPush(state: BatchState, now: number, event: BatchedEvent, cfg: BatchConfig): { state: BatchState; flush: string[] | null } {
  const duplicate = state.events.some((e) => e.internalId === event.internalId);
  const events = duplicate ? state.events : [...state.events, event];
  const openedAt = state.openedAt ?? now;
  const bytes = events.reduce((sum, e) => sum + e.bytes, 0);
  const full = events.length >= cfg.maxSize || bytes >= (cfg.maxBytes ?? BATCH_MAX_BYTES);
  if (full || now >= openedAt + cfg.timeoutMs) {
    return { state: initialBatch(), flush: events.map((e) => e.internalId) };
  }
  return { state: { events, openedAt }, flush: null };
}

/** Flushes the batch once `now ≥ openedAt + timeoutMs`; otherwise nothing changes. */
export function batchDue(state: BatchState, now: number, timeoutMs: number): { state: BatchState; flush: string[] | null } {
  const deadline = batchDeadline(state, timeoutMs);
  if (deadline === null || now < deadline) return { state, flush: null };
  return { state: initialBatch(), flush: state.events.map((e) => e.internalId) };
}

/** When the open batch times out, for the alarm; null when no batch is open. */
export function batchDeadline(state: BatchState, timeoutMs: number): number | null {
  return state.openedAt === null ? null : state.openedAt + timeoutMs;
}
