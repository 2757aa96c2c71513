import type { SdkEvent } from "../ingest/event";
import { equalityKey, indexValueAt } from "./equality";

/** What a pause is waiting for. */
export type PauseKind = "wait" | "invoke" | "cancel";

/** A run paused on an event: a `waitForEvent`, an invoked child, or a `cancelOn` listener. */
export interface Pause {
  id: string;
  runId: string;
  stepId: string | null;
  kind: PauseKind;
  eventName: string;
  /** CEL over `event` (the run's trigger) and `async` (the incoming event); null matches any. */
  expression: string | null;
  /** An exact lookup to use instead of deriving one from `expression`. */
  match?: { path: string; value: string };
  triggerEvent: SdkEvent;
  createdAt: number;
  expiresAt: number;
}

/** A pause as a wait shard stores it (see shard-store.ts). */
export interface PauseRow {
  id: string;
  run_id: string;
  step_id: string | null;
  kind: PauseKind;
  event_name: string;
  expression: string | null;
  match_path: string | null;
  match_value: string | null;
  trigger_event: string;
  created_at: number;
  expires_at: number;
}

/**
 * The stored form of a pause. An equality in the expression becomes an index entry: the path to
 * read in incoming events and the value (taken from the run's trigger event) it must have.
 */
export function toPauseRow(p: Pause): PauseRow {
  let match = p.match ?? null;
  const key = match || !p.expression ? null : equalityKey(p.expression);
  if (key) {
    const value = indexValueAt(p.triggerEvent, key.eventPath);
    if (value !== null) match = { path: key.asyncPath, value };
  }
  return {
    id: p.id,
    run_id: p.runId,
    step_id: p.stepId,
    kind: p.kind,
    event_name: p.eventName,
    expression: p.expression,
    match_path: match?.path ?? null,
    match_value: match?.value ?? null,
    trigger_event: JSON.stringify(p.triggerEvent),
    created_at: p.createdAt,
    expires_at: p.expiresAt,
  };
}
