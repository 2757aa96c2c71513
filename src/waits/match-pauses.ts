import { matchesExpression } from "../expressions";
import { toSdkEvent, type SdkEvent, type StoredEvent } from "../ingest/event";
import { ulidTime } from "../ingest/event-ids";
import { indexValueAt } from "./equality";
import type { PauseRow } from "./pause";

/**
 * Whether an incoming event resumes a stored pause, as a shard decides it: the pause's name,
 * indexed value and expression, and for waits and cancellations, arrival after the pause.
 */
export function shardSatisfies(pause: PauseRow, event: StoredEvent, incoming: SdkEvent = toSdkEvent(event)): boolean {
  // Waits and cancellations see only events that arrived after they were registered, as in
  // Inngest. Invokes are matched by a correlation id unique to the call, so they need no such rule.
  if (pause.kind !== "invoke" && ulidTime(event.internalId) < pause.created_at) return false;
  return pauseSatisfiedBy(pause, event, incoming);
}

/** Whether an event meets a pause's name, indexed value and expression, whenever it arrived. */
export function pauseSatisfiedBy(pause: PauseRow, event: StoredEvent, incoming: SdkEvent = toSdkEvent(event)): boolean {
  if (pause.event_name !== event.name) return false;
  if (pause.match_path !== null && indexValueAt(incoming, pause.match_path) !== pause.match_value) return false;
  if (pause.expression === null) return true;
  return matchesExpression(pause.expression, { event: JSON.parse(pause.trigger_event) as unknown, async: incoming });
}
