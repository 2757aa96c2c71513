/**
 * The links between a run that invoked another (`step.invoke`) and the run it started: the child
 * run's trigger is an `inngest/function.invoked` event whose `data._inngest` names the parent run
 * and the correlation id `<parent run id>.<step id>`.
 * @module
 */
import { z } from "zod";
import { readStoredJson } from "../util/stored-json";
import type { EventRecord } from "./events";

/** The event that starts an invoked run. */
const INVOKED_EVENT = "inngest/function.invoked";

/** What an invoked run's trigger carries about its parent, as stored. */
const invokedEventSchema = z.object({
  data: z.object({ _inngest: z.object({ source_run_id: z.string(), correlation_id: z.string() }) }),
});

/** The parent run and step of a run started by `step.invoke`. */
export interface InvokedBy {
  run_id: string;
  step_id: string;
}

/** Which run and step invoked the run triggered by `event`, or null when no run did. */
export function invokedBy(event: EventRecord | null): InvokedBy | null {
  if (event === null || event.name !== INVOKED_EVENT) return null;
  const read = readStoredJson(invokedEventSchema, event.data);
  if (!read.ok) return null;
  const { source_run_id: runId, correlation_id: correlation } = read.value.data._inngest;
  if (!correlation.startsWith(`${runId}.`)) return null;
  return { run_id: runId, step_id: correlation.slice(runId.length + 1) };
}

/**
 * The runs each invoke step of run `runId` started, by step id: one statement whose correlation
 * ids are looked up through events_by_invoke_correlation (migrations/0013_run_view.sql).
 */
export async function invokedRuns(db: D1Database, runId: string, stepIds: string[]): Promise<Map<string, string>> {
  if (stepIds.length === 0) return new Map();
  const correlations = stepIds.map((stepId) => `${runId}.${stepId}`);
  const { results } = await db
    .prepare(
      // INDEXED BY: without table statistics SQLite would rather scan every invoke event by name.
      `SELECT e.data ->> '$.data._inngest.correlation_id' AS correlation, r.id
       FROM events e INDEXED BY events_by_invoke_correlation JOIN runs r ON r.event_id = e.internal_id
       WHERE e.name = '${INVOKED_EVENT}' AND e.data ->> '$.data._inngest.correlation_id' IN (SELECT value FROM json_each(?))`,
    )
    .bind(JSON.stringify(correlations))
    .all<{ correlation: string; id: string }>();
  return new Map(results.map((row) => [row.correlation.slice(runId.length + 1), row.id]));
}
