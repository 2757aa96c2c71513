import type { EmittedEvent } from "../ingest/emit-events";
import type { SdkEvent } from "../ingest/event";
import type { RunEnd } from "./transition";
import { runError } from "../errors";

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
 */
export function runEndEvents(run: EndedRun, state: FinalState): EmittedEvent[] {
  const correlationId = correlationIdOf(run.events[0]);
  const error = state.status === "failed" ? state.error : state.status === "cancelled" ? CANCELLED_ERROR : undefined;
  const base = {
    function_id: run.functionId,
    run_id: run.id,
    event: run.events[0],
    events: run.events,
    ...(correlationId === undefined ? {} : { correlation_id: correlationId }),
  };
  const finished = {
    ...base,
    ...(state.status === "completed" ? { result: state.output ?? null } : { error }),
    _inngest: { status: state.status },
  };
  const emitted: EmittedEvent[] = [
    { name: "inngest/function.finished", data: finished, ts: run.endedAt, key: `${run.id}:finished` },
  ];
  if (state.status !== "completed") {
    const name = state.status === "failed" ? "inngest/function.failed" : "inngest/function.cancelled";
    emitted.push({ name, data: { ...base, error }, ts: run.endedAt, key: `${run.id}:${state.status}`, id: run.id });
  }
  return emitted;
}
