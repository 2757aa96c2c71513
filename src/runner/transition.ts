import type { SerializedError } from "../protocol/serialized-error";

/** What a run is waiting to send to its app: a discovery request or one planned step. */
export type Call = {
  /** `"step"` for a discovery request, otherwise the hashed id of a planned step. */
  target: string;
  /** Zero-based attempt of this request, sent as `ctx.attempt`. */
  attempt: number;
};

/** The discovery target: the SDK replays the function and reports what it finds next. */
export const DISCOVERY = "step";

/** A step's memoised result, exactly as the SDK expects it in `steps`. */
export type Memo = { data: unknown } | { error: SerializedError };

/** A step result to store and append to the run's stack. */
export interface StoredStep {
  stepId: string;
  memo: Memo;
  op: string;
  name?: string;
  displayName?: string;
  /** Attempts this step took, for history. */
  attempts: number;
}

/** A step that failed an attempt and will be retried; kept only in history. */
export interface StepAttemptError {
  stepId: string;
  op: string;
  name?: string;
  displayName?: string;
  error: SerializedError;
  attempts: number;
}

/** How a run ends. */
export type RunEnd =
  | { status: "completed"; output: unknown }
  | { status: "failed"; error: SerializedError };

/**
 * Everything one SDK response changes, applied by the run store in a single storage
 * transaction so that a crash leaves either none or all of it.
 */
export interface Transition {
  /** The call that produced the response is done and removed. */
  completesCall: boolean;
  /** The same call is tried again at `dueAt` with the given attempt. */
  retry?: { dueAt: number; attempt: number };
  /** Results to memoise, in stack order. */
  stored: StoredStep[];
  /** Failed attempts to record in history. */
  attemptErrors: StepAttemptError[];
  /** Planned steps to call, each with its display info for history. */
  planned: Array<{ stepId: string; name?: string; displayName?: string; op: string }>;
  /** Queue a discovery request now. */
  discover: boolean;
  /** Execution version reported by the SDK, to send back from now on. */
  version?: number;
  /** New value of the force-step-plan flag (`ctx.disable_immediate_execution`). */
  forceStepPlan?: boolean;
  end?: RunEnd;
}

/** An empty transition to build on. */
export function emptyTransition(): Transition {
  return { completesCall: true, stored: [], attemptErrors: [], planned: [], discover: false };
}
