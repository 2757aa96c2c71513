/**
 * Runs, steps and events from `/v0` as the pages use them: lower-case run statuses (with
 * "queued" for a run not started yet) and times in ms.
 * @module
 */
import type { UiAttemptError, UiEvent, UiRun, UiStep } from "./api-types";

/** A run's status as the pages show it. */
export type RunState = "queued" | "running" | "completed" | "failed" | "cancelled";

/** A run with its status lower-cased and its times in ms. */
export type PageRun = Omit<UiRun, "status" | "queued_at" | "started_at" | "ended_at"> & {
  status: RunState;
  queued_at: number;
  started_at: number | null;
  ended_at: number | null;
};

/** A failed attempt with its time in ms. */
export type PageAttemptError = Omit<UiAttemptError, "at"> & { at: number | null };

/** A step with its times in ms. */
export type PageStep = Omit<UiStep, "started_at" | "ended_at" | "attempt_errors"> & {
  started_at: number | null;
  ended_at: number | null;
  attempt_errors: PageAttemptError[];
};

/** An event with its receive time in ms. */
export type PageEvent = Omit<UiEvent, "received_at"> & { received_at: number };

/** ms since the epoch from an RFC 3339 time of the API; null stays null. */
export function ms(time: string): number;
export function ms(time: string | null | undefined): number | null;
export function ms(time: string | null | undefined): number | null {
  return time === null || time === undefined ? null : Date.parse(time);
}

const RUN_STATUS_FROM_API: Record<UiRun["status"], RunState> = {
  Running: "running",
  Completed: "completed",
  Failed: "failed",
  Cancelled: "cancelled",
};

/** A run from /v0 as the pages use it. */
export function fromApiRun(run: UiRun): PageRun {
  const started = ms(run.started_at);
  const status = RUN_STATUS_FROM_API[run.status];
  return {
    ...run,
    status: status === "running" && started === null ? "queued" : status,
    // A run always has a queue time; only the API's type leaves it nullable.
    queued_at: ms(run.queued_at) ?? 0,
    started_at: started,
    ended_at: ms(run.ended_at),
  };
}

/** A step from /v0 with its times in ms. */
export function fromApiStep(step: UiStep): PageStep {
  return {
    ...step,
    started_at: ms(step.started_at),
    ended_at: ms(step.ended_at),
    attempt_errors: (step.attempt_errors || []).map((a) => ({ ...a, at: ms(a.at) })),
  };
}

/** An event from /v0 with its receive time in ms. */
export function fromApiEvent(event: UiEvent): PageEvent {
  return { ...event, received_at: ms(event.received_at) };
}

/** Whether a run has ended. */
export function isEnded(run: PageRun): boolean {
  return run.status === "completed" || run.status === "failed" || run.status === "cancelled";
}
