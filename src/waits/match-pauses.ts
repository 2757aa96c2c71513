import { matchesExpression } from "../expressions";
import { toSdkEvent, type StoredEvent } from "../ingest/event";
import { ulidTime } from "../ingest/event-ids";
import { indexValueAt } from "./equality";
import type { PauseRow } from "./pause";

/** An incoming event that satisfies a pause. */
export interface PauseMatch {
  pause: PauseRow;
  event: StoredEvent;
}

/**
 * Finds the pauses a batch of events satisfies. Only pauses for the events' names are read;
 * indexed (equality) pauses are fetched by exact lookup of the incoming event's value, so the
 * cost does not grow with the number of runs waiting on other values. Each pause is matched at
 * most once, by the earliest event in the batch.
 */
export async function findPauseMatches(db: D1Database, events: StoredEvent[], now: number): Promise<PauseMatch[]> {
  if (events.length === 0) return [];
  const names = [...new Set(events.map((e) => e.name))];
  const { results: shapes } = await db
    .prepare(
      `SELECT DISTINCT event_name, match_path FROM pauses
       WHERE event_name IN (SELECT value FROM json_each(?1)) AND expires_at > ?2`,
    )
    .bind(JSON.stringify(names), now)
    .all<{ event_name: string; match_path: string | null }>();
  if (shapes.length === 0) return [];

  const lookups: [string, string, string][] = [];
  const unindexed = new Set<string>();
  for (const shape of shapes) {
    if (shape.match_path === null) {
      unindexed.add(shape.event_name);
      continue;
    }
    for (const event of events) {
      if (event.name !== shape.event_name) continue;
      const value = indexValueAt(toSdkEvent(event), shape.match_path);
      if (value !== null) lookups.push([event.name, shape.match_path, value]);
    }
  }
  const { results: candidates } = await db
    .prepare(
      `SELECT * FROM pauses WHERE expires_at > ?3 AND (
         (event_name, match_path, match_value) IN (SELECT value ->> 0, value ->> 1, value ->> 2 FROM json_each(?1))
         OR (match_path IS NULL AND event_name IN (SELECT value FROM json_each(?2))))`,
    )
    .bind(JSON.stringify(lookups), JSON.stringify([...unindexed]), now)
    .all<PauseRow>();

  const matches: PauseMatch[] = [];
  const taken = new Set<string>();
  for (const event of events) {
    const incoming = toSdkEvent(event);
    for (const pause of candidates) {
      if (taken.has(pause.id) || !satisfies(pause, event, incoming)) continue;
      taken.add(pause.id);
      matches.push({ pause, event });
    }
  }
  return matches;
}

function satisfies(pause: PauseRow, event: StoredEvent, incoming: ReturnType<typeof toSdkEvent>): boolean {
  // Waits and cancellations see only events that arrived after they were registered, as in
  // Inngest. Invokes are matched by a correlation id unique to the call, so they need no such rule.
  if (pause.kind !== "invoke" && ulidTime(event.internalId) < pause.created_at) return false;
  return pauseSatisfiedBy(pause, event, incoming);
}

/** Whether an event meets a pause's name, indexed value and expression, whenever it arrived. */
export function pauseSatisfiedBy(pause: PauseRow, event: StoredEvent, incoming = toSdkEvent(event)): boolean {
  if (pause.event_name !== event.name) return false;
  if (pause.match_path !== null && indexValueAt(incoming, pause.match_path) !== pause.match_value) return false;
  if (pause.expression === null) return true;
  return matchesExpression(pause.expression, { event: JSON.parse(pause.trigger_event) as unknown, async: incoming });
}
