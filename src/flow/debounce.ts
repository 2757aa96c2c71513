/**
 * A debounce window for one key: the run starts with the last event once `period` passes with
 * no newer event, or once `timeout` has passed since the window opened.
 * @module
 */

/** The event a debounced run would start with: its stored id and its own `ts`. */
export type DebouncedEvent = { internalId: string; ts: number };

/**
 * An open window (`event`, `firstAt`, `fireAt` all set) or none (all null). Invariant when
 * open: `firstAt ≤ fireAt ≤ firstAt + timeoutMs`.
 */
export type DebounceState = { event: DebouncedEvent | null; firstAt: number | null; fireAt: number | null };

/** Debounce settings: quiet `periodMs` before the run, and the longest total delay. */
export interface DebounceConfig {
  periodMs: number;
  timeoutMs?: number;
}

/** No open window. */
export function initialDebounce(): DebounceState {
  return { event: null, firstAt: null, fireAt: null };
}

function open(now: number, event: DebouncedEvent, cfg: DebounceConfig): DebounceState {
  return { event, firstAt: now, fireAt: now + Math.min(cfg.periodMs, cfg.timeoutMs ?? Infinity) };
}

/**
 * Adds an event. The first opens the window; an event whose `ts` is at least the current one's
 * replaces it and pushes `fireAt` to `now + periodMs`, capped at `firstAt + timeoutMs`; an older
 * event is ignored (neither payload nor extension, as Inngest PR #975). `fireAt` never moves
 * earlier, even if the clock steps back. If the window was already due (its alarm has not run
 * yet), it is closed first: `fire` is the event its run must start with, and the new event
 * opens a fresh window.
 */
export function debouncePush(state: DebounceState, now: number, event: DebouncedEvent, cfg: DebounceConfig): { state: DebounceState; fire: string | null } {
  if (state.event === null || state.firstAt === null || state.fireAt === null) {
    return { state: open(now, event, cfg), fire: null };
  }
  if (now >= state.fireAt) return { state: open(now, event, cfg), fire: state.event.internalId };
  if (event.ts < state.event.ts) return { state, fire: null };
  const cap = state.firstAt + (cfg.timeoutMs ?? Infinity);
  const fireAt = Math.min(Math.max(state.fireAt, now + cfg.periodMs), cap);
  return { state: { event, firstAt: state.firstAt, fireAt }, fire: null };
}

/**
 * Closes the window once `now ≥ fireAt`: `fire` is the internal id of the event the run starts
 * with, and the state is reset. Before that, nothing changes and `fire` is null.
 */
export function debounceDue(state: DebounceState, now: number): { state: DebounceState; fire: string | null } {
  if (state.event === null || state.fireAt === null || now < state.fireAt) return { state, fire: null };
  return { state: initialDebounce(), fire: state.event.internalId };
}
