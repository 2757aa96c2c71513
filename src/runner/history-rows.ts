import { fitForHistory, type DirtyRow } from "../runs/run-history";
import { capError } from "../runs/system-event-values";
import type { SerializedError } from "../protocol/serialized-error";
import type { RunStore } from "../runs/run-store";
import type { RunRow } from "../runs/run-rows";
import { readStoredJson } from "../util/stored-json";
import { storedMemoSchema, storedResultSchema } from "../runs/stored-run-json";
import type { z } from "zod";

/** A version of the run's D1 row with its values in full (JSON text, at most HISTORY_MAX_VALUE_BYTES). */
export interface FullRunRow {
  seq: number;
  functionId: string;
  appId: string;
  eventId: string;
  status: RunRow["status"];
  output: string | null;
  error: string | null;
  queuedAt: number;
  startedAt: number | null;
  endedAt: number | null;
  updatedAt: number;
  wakeAt: number | null;
}

/** A version of a step's D1 row with its values in full. */
export interface FullStepRow {
  seq: number;
  stepId: string;
  name: string | null;
  displayName: string | null;
  op: string;
  status: "running" | "completed" | "failed" | "errored";
  attempts: number;
  output: string | null;
  error: string | null;
  /** JSON array of the failed attempts' errors (runs/attempt-errors.ts); bounded, so always inline. */
  attemptErrors: string | null;
  startedAt: number | null;
  endedAt: number | null;
  order: number;
}

/** The rows built for some dirty markers, and the markers that name no row any more. */
export interface BuiltHistory {
  run?: FullRunRow;
  steps: FullStepRow[];
  gone: DirtyRow[];
}

/**
 * A stored value for history, or null when there is none or it cannot be read: history then
 * shows no value (the run itself deals with unreadable state), and the copy goes on.
 */
function readForHistory<S extends z.ZodType>(schema: S, json: string | null, runId: string, key: string): z.output<S> | null {
  if (json === null) return null;
  const read = readStoredJson(schema, json);
  if (read.ok) return read.value;
  console.error(`stepflare: run ${runId}: stored ${key} cannot be read for history: ${read.error}`);
  return null;
}

/**
 * The D1 history rows named by `dirty`, read from the run's object now, each carrying its
 * marker's `rev` as its sequence number.
 */
export function buildHistoryRows(store: RunStore, run: RunRow, dirty: DirtyRow[], now: number): BuiltHistory {
  const built: BuiltHistory = { steps: [], gone: [] };
  for (const row of dirty) {
    if (row.kind === "run") {
      const result = readForHistory(storedResultSchema, store.result(), run.id, "result") ?? {};
      built.run = {
        seq: row.rev,
        functionId: run.function_id,
        appId: run.app_id,
        eventId: run.event_id,
        status: run.status,
        output: "output" in result ? fitForHistory(JSON.stringify(result.output ?? null)) : null,
        error: "error" in result && result.error !== undefined ? JSON.stringify(capError(result.error as SerializedError)) : null,
        queuedAt: run.queued_at,
        startedAt: run.started_at,
        endedAt: run.ended_at,
        updatedAt: now,
        // For the heartbeat's sweep of runs whose alarm was lost.
        wakeAt: store.isActive() ? store.alarm.nextWakeAt() : null,
      };
      continue;
    }
    const step = store.history.step(row.key);
    if (!step) {
      built.gone.push(row);
      continue;
    }
    const memo = step.status === "completed" ? readForHistory(storedMemoSchema, store.memoJson(row.key), run.id, `memo:${row.key}`) : null;
    built.steps.push({
      seq: row.rev,
      stepId: step.step_id,
      name: step.name,
      displayName: step.display_name,
      op: step.op,
      status: step.status,
      attempts: step.attempts,
      output: memo ? fitForHistory(JSON.stringify((memo as { data?: unknown }).data ?? null)) : null,
      error: step.error,
      attemptErrors: step.attempt_errors,
      startedAt: step.started_at,
      endedAt: step.ended_at,
      order: step.seq,
    });
  }
  return built;
}
