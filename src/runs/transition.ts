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

/**
 * A step's memoised result, exactly as the SDK expects it in `steps`: `{data}` or `{error}` for
 * run-like steps, `null` for a finished sleep or a timed-out wait, the whole event for a wait.
 */
export type Memo = { data: unknown } | { error: SerializedError } | Record<string, unknown> | null;

/** Whether a memo records a failure (history shows the step as failed). */
export function isErrorMemo(memo: Memo): memo is { error: SerializedError } {
  return memo !== null && "error" in memo && !("data" in memo) && Object.keys(memo).length === 1;
}

/** A step result to store and append to the run's stack. */
export interface StoredStep {
  stepId: string;
  memo: Memo;
  op: string;
  name?: string;
  displayName?: string;
  /** Attempts this step took, for history. */
  attempts: number;
  /** When the SDK ran the step's code, when it says so (history only). */
  timing?: { startedAt: number; endedAt: number };
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

/** What a paused step waits for before its memo is written. */
export type WaitDetail =
  | { kind: "sleep" }
  | { kind: "event"; eventName: string; expression: string | null }
  | { kind: "invoke"; functionId: string; payload: Record<string, unknown> }
  | { kind: "signal"; signal: string; conflict: "replace" | "fail" };

/** A step that resolves later: a sleep, an event wait, an invoked child or a signal, with its deadline. */
export interface StepWait {
  stepId: string;
  op: string;
  name?: string;
  displayName?: string;
  /** When the sleep ends, or when the wait times out. */
  wakeAt: number;
  detail: WaitDetail;
}

/** An HTTP request the server makes on the run's behalf (`step.fetch`, `step.ai.infer`). */
export interface GatewayRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
  /** A `step.ai.infer` in this provider format; its key, headers and body are never stored. */
  ai?: string;
}

/** How a run ends. */
export type RunEnd = { status: "completed"; output: unknown } | { status: "failed"; error: SerializedError };

/**
 * Everything one SDK response changes, applied by the run store in a single storage
 * transaction so that a crash leaves either none or all of it.
 */
export interface Transition {
  /** The same call is tried again at `dueAt` with the given attempt; otherwise it is done. */
  retry?: { dueAt: number; attempt: number };
  /** Results to memoise, in stack order. */
  stored: StoredStep[];
  /** Failed attempts to record in history. */
  attemptErrors: StepAttemptError[];
  /** Planned steps to call, each with its display info for history. */
  planned: Array<{ stepId: string; name?: string; displayName?: string; op: string }>;
  /** Steps that now wait for time, an event or a child run. */
  waits: StepWait[];
  /** Requests the server makes itself before memoising their response. */
  gateways: Array<{ stepId: string; name?: string; displayName?: string; op: string; request: GatewayRequest }>;
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
  return { stored: [], attemptErrors: [], planned: [], waits: [], gateways: [], discover: false };
}
