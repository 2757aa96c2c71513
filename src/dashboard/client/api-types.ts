/**
 * The shapes of the API answers the dashboard reads, built from the server's own types so that a
 * change on the server shows here as a type error.
 * @module
 */
import type { EventEffects } from "../../history/event-effects";
import type { toApiEvent, toUiEvent } from "../../history/event-view";
import type { InvokedBy } from "../../history/invoke-links";
import type { FunctionTotals, MetricsBucket } from "../../history/metrics";
import type { toApiRun, toUiRun, toUiStep } from "../../history/run-view";
import type { AttemptError } from "../../runs/attempt-errors";
import type { FunctionConfig } from "../../sync/function-config";
import type { AppRecord } from "../../sync/store";

export type { EventEffects, FunctionConfig, FunctionTotals, MetricsBucket };

/** The `{ data }` envelope of `/v0` and `/v1` answers. */
export interface DataBody<T> {
  data: T;
}

/** A page of a list, with the cursor of the next page (null on the last). */
export interface PageBody<T> {
  data: T[];
  cursor: string | null;
}

/** A run in a `/v0` list or detail: v1's statuses and RFC 3339 times. */
export type UiRun = ReturnType<typeof toUiRun>;

/** A failed attempt of a step as `/v0` shows it: its time in RFC 3339. */
export type UiAttemptError = Omit<AttemptError, "at"> & { at: string | null };

/** A step in a run's `/v0` detail. */
export type UiStep = Omit<ReturnType<typeof toUiStep>, "attempt_errors"> & {
  attempt_errors: UiAttemptError[];
  invoked_run_id: string | null;
};

/** An event in the `/v0` stream. */
export type UiEvent = ReturnType<typeof toUiEvent>;

/** An event as `/v1/events/:id` shows it. */
export type ApiEvent = ReturnType<typeof toApiEvent>;

/** A run as `/v1/events/:id/runs` shows it. */
export type ApiRun = ReturnType<typeof toApiRun>;

/** `GET /v0/runs/:id`. */
export interface RunDetail {
  run: UiRun;
  steps: UiStep[];
  invoked_by: InvokedBy | null;
  event: ApiEvent | null;
  rerun_of: { run_id: string; from_step: string | null; from_step_name: string | null } | null;
  reruns: { run_id: string; from_step: string | null; created_at: string }[];
}

/** A synced function as `/v0/apps` lists it. */
export interface AppFunction {
  id: string;
  name: string;
  config: FunctionConfig;
}

/** A synced app with its functions, as `/v0/apps` lists it. */
export type AppWithFunctions = AppRecord & { functions: AppFunction[] };

/** `GET /v0/metrics`: the window, its buckets and, over all functions, each function's totals. */
export interface MetricsBody {
  function_id: string | null;
  from: number;
  to: number;
  bucket_ms: number;
  buckets: MetricsBucket[];
  functions?: FunctionTotals[];
}
