import type { EmittedEvent } from "../ingest/emit-events";
import type { SdkEvent } from "../ingest/event";
import type { RunEnd } from "./transition";
import { runError } from "../errors";
import { capError, oversize, type Omitted } from "./system-event-values";

/** How a run ended, including cancellation, which `decide` never produces. */
export type FinalState = RunEnd | { status: "cancelled" };

/** The facts about a run its end events carry. */
export interface EndedRun {
  id: string;
  functionId: string;
  endedAt: number;
  events: SdkEvent[];
}

/** The error every cancelled run reports, as Inngest words it. */
export const CANCELLED_ERROR = runError("FunctionCancelledError", "function cancelled");

/** The correlation id of an invoked run: set by the parent on the `inngest/function.invoked` event. */
export function correlationIdOf(event: SdkEvent | undefined): string | undefined {
  const meta = event?.data["_inngest"];
  if (typeof meta !== "object" || meta === null) return undefined;
  const id = (meta as Record<string, unknown>)["correlation_id"];
  return typeof id === "string" ? id : undefined;
}

/**
 * The system events a run emits when it ends: always `inngest/function.finished` (which resolves
 * a parent's `step.invoke`), plus `inngest/function.failed` (driving `onFailure` handlers) or
 * `inngest/function.cancelled`. Keys derive from the run id, so each is emitted once.
 * A run's output or batch of events too large for an event row is left out and its size noted in
 * `_inngest.omitted`; an error that large is cut to fit (see system-event-values.ts).
 */
export function runEndEvents(run: EndedRun, state: FinalState): EmittedEvent[] {
  const correlationId = correlationIdOf(run.events[0]);
  const rawError = state.status === "failed" ? state.error : state.status === "cancelled" ? CANCELLED_ERROR : undefined;
  const error = rawError === undefined ? undefined : capError(rawError);
  const omitted: Omitted = {};
  const eventsBytes = oversize(run.events);
  if (eventsBytes !== null) omitted.events = eventsBytes;
  const base = {
    function_id: run.functionId,
    run_id: run.id,
    event: run.events[0],
    ...(eventsBytes === null ? { events: run.events } : {}),
    ...(correlationId === undefined ? {} : { correlation_id: correlationId }),
  };
  let outcome: Record<string, unknown> = { error };
  if (state.status === "completed") {
    const resultBytes = oversize(state.output ?? null);
    if (resultBytes !== null) omitted.result = resultBytes;
    outcome = { result: resultBytes === null ? (state.output ?? null) : null };
  }
  const meta = Object.keys(omitted).length > 0 ? { omitted } : {};
  const finished = { ...base, ...outcome, _inngest: { status: state.status, ...meta } };
  const emitted: EmittedEvent[] = [
    { name: "inngest/function.finished", data: finished, ts: run.endedAt, key: `${run.id}:finished` },
  ];
  if (state.status !== "completed") {
    const name = state.status === "failed" ? "inngest/function.failed" : "inngest/function.cancelled";
    const data = { ...base, error, ...(omitted.events === undefined ? {} : { _inngest: meta }) };
    emitted.push({ name, data, ts: run.endedAt, key: `${run.id}:${state.status}`, id: run.id });
  }
  return emitted;
}
