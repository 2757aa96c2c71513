/** The rows of a RunObject's SQLite state, as its store reads them. */
import type { Call, WaitDetail } from "./transition";

/** Lifecycle states of a run, as stored. */
export type RunStatus = "queued" | "running" | "completed" | "failed" | "cancelled";

/** The run row. */
export type RunRow = {
  id: string;
  function_id: string;
  app_id: string;
  event_id: string;
  step_url: string;
  status: RunStatus;
  version: number;
  force_step_plan: number;
  max_attempts: number;
  finish_timeout: number | null;
  constraints: string;
  priority: number;
  singleton_flow: string | null;
  throttle: string | null;
  throttled_until: number | null;
  queued_at: number;
  started_at: number | null;
  ended_at: number | null;
  /** The HTTP method of a durable endpoint run's request; null for runs started by events. */
  endpoint_method: string | null;
};

/** A call with its kind and the generation it was read at, so a stale answer cannot erase a newer request. */
export type LeasedCall = Call & { gen: number; kind: "sdk" | "gateway"; detail: string | null };

/** A step waiting for time, an event or a child run. */
export type WaitRow = { step_id: string; kind: WaitDetail["kind"]; wake_at: number; detail: string };

/** A step's history row inside the run. */
export type StepRow = {
  step_id: string;
  name: string | null;
  display_name: string | null;
  op: string;
  status: "running" | "completed" | "failed" | "errored";
  attempts: number;
  error: string | null;
  /** JSON array of AttemptError, the newest HISTORY_ATTEMPT_ERRORS_PER_STEP failed attempts. */
  attempt_errors: string | null;
  started_at: number | null;
  ended_at: number | null;
  seq: number;
};
