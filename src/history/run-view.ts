/** Run statuses as Inngest's REST API spells them. */
const API_STATUS = {
  queued: "Running",
  running: "Running",
  completed: "Completed",
  failed: "Failed",
  cancelled: "Cancelled",
} as const;

/** A run row as stored in D1. */
export interface RunRecord {
  id: string;
  function_id: string;
  app_id: string;
  event_id: string;
  status: keyof typeof API_STATUS;
  output: string | null;
  error: string | null;
  queued_at: number;
  started_at: number | null;
  ended_at: number | null;
}

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
