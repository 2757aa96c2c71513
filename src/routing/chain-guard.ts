/**
 * The guard that stops functions triggering themselves, or each other, through the end events
 * runs emit (`inngest/function.finished|failed|cancelled`) without end. The depth also rides on
 * the `inngest/function.invoked` events runs emit, so a loop through `step.invoke` (a function
 * started by an end event invokes one whose end starts it again) is bounded the same way.
 * @module
 */
import { MAX_FUNCTION_EVENT_DEPTH } from "../constants";
import type { StoredEvent } from "../ingest/event";
import type { StoredFunction } from "../sync/store";
import { chainDepthOf, isEndEvent } from "../runs/system-event-values";

/** Why an end event starts no run of a function it matches, as kept in `skipped_runs`. */
export type ChainSkipReason = "self_trigger" | "chain_depth";

/**
 * Whether an event must not start a function it matches: a function's own end events never start
 * that same function (`self_trigger`), and an end event more than MAX_FUNCTION_EVENT_DEPTH deep
 * in a chain of runs started by end events starts no function at all (`chain_depth`). Other
 * events, and waiting runs, are not affected.
 */
export function chainSkipReason(event: StoredEvent, fn: StoredFunction): ChainSkipReason | null {
  if (!isEndEvent(event.name)) return null;
  if (event.data["function_id"] === fn.id) return "self_trigger";
  return chainDepthOf(event) > MAX_FUNCTION_EVENT_DEPTH ? "chain_depth" : null;
}
