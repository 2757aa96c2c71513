/**
 * Reads of what an event did to paused runs (`event_effects` in migrations/0013_run_view.sql):
 * the waits it resumed and the runs it cancelled, for the event's page.
 * @module
 */
import { EVENT_EFFECTS_LISTED } from "../constants";

/** One run an event resumed or cancelled, with the names a reader needs. */
export interface EffectRow {
  run_id: string;
  function_id: string | null;
  function_name: string | null;
  step_id: string | null;
  step_name: string | null;
  at: string;
}

/** An event's effects: how many of each, and the first EVENT_EFFECTS_LISTED of each. */
export interface EventEffects {
  resumed_count: number;
  cancelled_count: number;
  resumed: EffectRow[];
  cancelled: EffectRow[];
}

const LIST = `SELECT x.run_id, r.function_id, f.name AS function_name, nullif(x.step_id, '') AS step_id,
    coalesce(s.display_name, s.name) AS step_name, x.created_at
  FROM event_effects x LEFT JOIN runs r ON r.id = x.run_id LEFT JOIN functions f ON f.id = r.function_id
    LEFT JOIN steps s ON s.run_id = x.run_id AND s.step_id = x.step_id
  WHERE x.event_id = ?1 AND x.kind = ?2 ORDER BY x.created_at, x.run_id LIMIT ?3`;

/** What event `internalId` did to paused runs. */
export async function eventEffects(db: D1Database, internalId: string): Promise<EventEffects> {
  const [counts, resumed, cancelled] = await db.batch<Record<string, unknown>>([
    db.prepare("SELECT kind, count(*) AS n FROM event_effects WHERE event_id = ? GROUP BY kind").bind(internalId),
    db.prepare(LIST).bind(internalId, "resumed", EVENT_EFFECTS_LISTED),
    db.prepare(LIST).bind(internalId, "cancelled", EVENT_EFFECTS_LISTED),
  ]);
  const count = (kind: string) => Number(counts!.results.find((r) => r.kind === kind)?.n ?? 0);
  const rows = (list: Record<string, unknown>[]) =>
    list.map(({ created_at, ...row }) => ({ ...row, at: new Date(Number(created_at)).toISOString() }) as EffectRow);
  return { resumed_count: count("resumed"), cancelled_count: count("cancelled"), resumed: rows(resumed!.results), cancelled: rows(cancelled!.results) };
}
