/**
 * A run's trace as Inngest's tools read it: a root span for the run with one child span per step,
 * built from D1 history. Inngest keeps OpenTelemetry spans; stepflare keeps a row per step, which
 * carries the same facts (name, op, status, attempts, times, output or error), so the spans are
 * derived here and both REST v2 and GraphQL shape them.
 * @module
 */
import type { RunRecord } from "./runs";
import type { StepRecord } from "./steps";

/** Span statuses in Inngest's spelling (GraphQL `RunTraceSpanStatus`, REST v2 `TraceSpanStatus`). */
export type SpanStatus = "QUEUED" | "RUNNING" | "WAITING" | "COMPLETED" | "FAILED" | "CANCELLED";

/** Step ops in Inngest's spelling (GraphQL `StepOp`, REST v2 `TraceStepOp`). */
export type SpanStepOp = "RUN" | "SLEEP" | "WAIT_FOR_EVENT" | "INVOKE" | "AI_GATEWAY" | "WAIT_FOR_SIGNAL";

/** One span of a run's trace; times in ms. */
export interface TraceSpan {
  spanId: string;
  runId: string;
  name: string;
  status: SpanStatus;
  stepOp: SpanStepOp | null;
  /** The hashed step id, as the SDK reports it; null on the run's span. */
  stepId: string | null;
  attempts: number | null;
  queuedAt: number;
  startedAt: number | null;
  endedAt: number | null;
  durationMs: number | null;
  /** Names the span's output for {@link parseOutputId}; null while there is none. */
  outputId: string | null;
  children: TraceSpan[];
}

/** The run span's name, as Inngest's dev server names it. */
const RUN_SPAN_NAME = "Run";

const STEP_OPS: Record<string, SpanStepOp> = {
  Step: "RUN",
  StepRun: "RUN",
  StepPlanned: "RUN",
  Sleep: "SLEEP",
  WaitForEvent: "WAIT_FOR_EVENT",
  InvokeFunction: "INVOKE",
  AIGateway: "AI_GATEWAY",
  Gateway: "RUN",
  WaitForSignal: "WAIT_FOR_SIGNAL",
};

/** Ops whose running step is waiting on something outside the app, not executing code. */
const WAITING_OPS = new Set<SpanStepOp>(["SLEEP", "WAIT_FOR_EVENT", "INVOKE", "WAIT_FOR_SIGNAL"]);

/** Run statuses in Inngest's upper-case spelling (REST v2 `FunctionRunStatus`, GraphQL `FunctionRunStatus`). */
export const INNGEST_RUN_STATUS = {
  queued: "QUEUED",
  running: "RUNNING",
  completed: "COMPLETED",
  failed: "FAILED",
  cancelled: "CANCELLED",
} as const satisfies Record<RunRecord["status"], SpanStatus>;

/**
 * An output id names the run's output (`<runId>`) or a step's (`<runId>:<hashed step id>`). Both
 * parts are plain ids, so the id is readable and needs no lookup table.
 */
export function outputIdFor(runId: string, stepId?: string): string {
  return stepId === undefined ? runId : `${runId}:${stepId}`;
}

/** The run and (for a step's output) the step an output id names, or null if it is malformed. */
export function parseOutputId(outputId: string): { runId: string; stepId?: string } | null {
  const match = /^([0-9A-HJKMNP-TV-Z]{26})(?::([A-Za-z0-9_-]{1,128}))?$/i.exec(outputId);
  if (!match) return null;
  return match[2] === undefined ? { runId: match[1]! } : { runId: match[1]!, stepId: match[2] };
}

const duration = (start: number | null, end: number | null) => (start !== null && end !== null ? Math.max(0, end - start) : null);

function stepStatus(step: StepRecord, op: SpanStepOp | null, run: RunRecord): SpanStatus {
  if (step.status === "completed") return "COMPLETED";
  if (step.status === "failed") return "FAILED";
  // A step still open when its run ended was cut short by the run's end.
  if (run.status === "cancelled" || run.status === "failed") return run.status === "cancelled" ? "CANCELLED" : "FAILED";
  return op !== null && WAITING_OPS.has(op) ? "WAITING" : "RUNNING";
}

/** The span of one step of `run`. */
function stepSpan(run: RunRecord, step: StepRecord): TraceSpan {
  const op = STEP_OPS[step.op] ?? null;
  const status = stepStatus(step, op, run);
  const hasOutput = (status === "COMPLETED" && step.output !== null) || step.error !== null;
  const startedAt = step.started_at;
  const endedAt = status === "COMPLETED" || status === "FAILED" ? step.ended_at : null;
  return {
    spanId: outputIdFor(run.id, step.step_id),
    runId: run.id,
    name: step.display_name ?? step.name ?? step.step_id,
    status,
    stepOp: op,
    stepId: step.step_id,
    attempts: Math.max(step.attempts, 1),
    queuedAt: startedAt ?? run.queued_at,
    startedAt,
    endedAt,
    durationMs: duration(startedAt, endedAt),
    outputId: hasOutput ? outputIdFor(run.id, step.step_id) : null,
    children: [],
  };
}

/** The trace of `run`: its span, with its steps' spans as children in the order they were seen. */
export function buildTrace(run: RunRecord, steps: StepRecord[]): TraceSpan {
  const startedAt = run.started_at;
  const endedAt = run.ended_at;
  return {
    spanId: run.id,
    runId: run.id,
    name: RUN_SPAN_NAME,
    status: INNGEST_RUN_STATUS[run.status],
    stepOp: null,
    stepId: null,
    attempts: null,
    queuedAt: run.queued_at,
    startedAt,
    endedAt,
    durationMs: duration(startedAt ?? run.queued_at, endedAt),
    outputId: run.output !== null || run.error !== null ? outputIdFor(run.id) : null,
    children: steps.map((s) => stepSpan(run, s)),
  };
}

/** What a span's output id leads to: the value as JSON text, or the error. */
export interface SpanOutput {
  data: string | null;
  error: { name: string | null; message: string; stack: string | null; cause: unknown } | null;
}

/** The error as Inngest's `StepError` shows it, from a stored serialized error. */
function toStepError(json: string): SpanOutput["error"] {
  const value = JSON.parse(json) as unknown;
  if (typeof value !== "object" || value === null) return { name: null, message: String(value), stack: null, cause: null };
  const e = value as Record<string, unknown>;
  return {
    name: typeof e.name === "string" ? e.name : null,
    message: typeof e.message === "string" ? e.message : JSON.stringify(value),
    stack: typeof e.stack === "string" ? e.stack : null,
    cause: e.cause ?? null,
  };
}

/** The output of a run or step row: its error if it has one and did not complete, else its value. */
export function spanOutput(row: { output: string | null; error: string | null; status: string }): SpanOutput {
  if (row.status !== "completed" && row.error !== null) return { data: null, error: toStepError(row.error) };
  return { data: row.output, error: null };
}
