/**
 * Runs and steps as the APIs show them: Inngest's REST v1 shape (ISO times, capitalised
 * statuses) and the dashboard's `/v0` shape (ms times, stored statuses).
 * @module
 */
import type { ListedRun, RunRecord } from "./runs";
import type { StepRecord } from "./steps";

/** Run statuses as Inngest's REST API spells them; it has no separate "queued". */
const API_STATUS = {
  queued: "Running",
  running: "Running",
  completed: "Completed",
  failed: "Failed",
  cancelled: "Cancelled",
} as const;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const json = (text: string | null) => (text === null ? null : (JSON.parse(text) as unknown));

/** A run in Inngest's REST v1 shape (`GET /v1/runs/:id`, `GET /v1/events/:id/runs`). */
export function toApiRun(run: RunRecord) {
  return {
    run_id: run.id,
    event_id: run.event_id,
    function_id: run.function_id,
    app_id: run.app_id,
    status: API_STATUS[run.status],
    queued_at: iso(run.queued_at),
    run_started_at: iso(run.started_at ?? run.queued_at),
    ended_at: iso(run.ended_at),
    output: json(run.output),
    error: json(run.error),
  };
}

/** A run as the dashboard reads it: stored status, times in ms, names to show. */
export function toUiRun(run: ListedRun) {
  return {
    run_id: run.id,
    function_id: run.function_id,
    function_name: run.function_name ?? run.function_id,
    app_id: run.app_id,
    event_id: run.event_id,
    event_name: run.event_name,
    status: run.status,
    queued_at: run.queued_at,
    started_at: run.started_at,
    ended_at: run.ended_at,
    output: json(run.output),
    error: json(run.error),
  };
}

/** A step as the dashboard's timeline reads it. */
export function toUiStep(step: StepRecord) {
  return {
    step_id: step.step_id,
    name: step.display_name ?? step.name ?? step.step_id,
    op: step.op,
    status: step.status,
    attempts: step.attempts,
    output: json(step.output),
    error: json(step.error),
    /** Each failed attempt's error, oldest first (the newest HISTORY_ATTEMPT_ERRORS_PER_STEP). */
    attempt_errors: (json(step.attempt_errors) ?? []) as unknown[],
    started_at: step.started_at,
    ended_at: step.ended_at,
  };
}
