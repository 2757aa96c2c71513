/**
 * Runs and steps as the APIs show them: Inngest's REST v1 shape and the dashboard's `/v0` shape.
 * Both spell run statuses and times the same way (Inngest's capitalised statuses, RFC 3339
 * times); `/v0` adds what the dashboard needs beyond v1, such as `started_at` (null while queued).
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

/** A run as the dashboard reads it: v1's status and times, with names to show. */
export function toUiRun(run: ListedRun) {
  return {
    run_id: run.id,
    function_id: run.function_id,
    function_name: run.function_name ?? run.function_id,
    app_id: run.app_id,
    event_id: run.event_id,
    event_name: run.event_name,
    status: API_STATUS[run.status],
    queued_at: iso(run.queued_at),
    started_at: iso(run.started_at),
    ended_at: iso(run.ended_at),
    output: json(run.output),
    error: json(run.error),
  };
}

/** A step as the dashboard's timeline reads it; step statuses are stepflare's own (v1 has no steps). */
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
    attempt_errors: ((json(step.attempt_errors) ?? []) as { at: number }[]).map((a) => ({ ...a, at: iso(a.at) })),
    started_at: iso(step.started_at),
    ended_at: iso(step.ended_at),
  };
}
