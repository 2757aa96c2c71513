import { MAX_EVENT_BYTES, SYSTEM_EVENT_SMALL_ERROR_BYTES } from "../constants";
import type { EmittedEvent } from "../ingest/emit-events";
import type { SdkEvent } from "../ingest/event";
import type { SerializedError } from "../protocol/serialized-error";
import { jsonBytes } from "../util/utf8";
import type { RunEnd } from "./transition";
import { runError } from "../errors";
import { capError, embeddable, oversize, runChainDepth, type Omitted } from "./system-event-values";

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
 *
 * Each is bounded like an event a user sends (see {@link fit}); an end event among the run's own
 * events is embedded without its nested `event`/`events`, and `_inngest.depth` counts how many
 * end events in a row led here, so routing can stop a chain of functions triggering each other.
 */
export function runEndEvents(run: EndedRun, state: FinalState): EmittedEvent[] {
  const events = run.events.map(embeddable);
  const correlationId = correlationIdOf(run.events[0]);
  const rawError = state.status === "failed" ? state.error : state.status === "cancelled" ? CANCELLED_ERROR : undefined;
  const depth = runChainDepth(run.events) + 1;
  const base = {
    function_id: run.functionId,
    run_id: run.id,
    event: events[0],
    events,
    ...(correlationId === undefined ? {} : { correlation_id: correlationId }),
  };
  const outcome = state.status === "completed" ? { result: state.output ?? null } : { error: rawError === undefined ? undefined : capError(rawError) };
  const finished = fit("inngest/function.finished", { ...base, ...outcome }, { status: state.status, depth }, rawError);
  const emitted: EmittedEvent[] = [{ name: "inngest/function.finished", data: finished, ts: run.endedAt, key: `${run.id}:finished` }];
  if (state.status !== "completed") {
    const name = state.status === "failed" ? "inngest/function.failed" : "inngest/function.cancelled";
    const data = fit(name, { ...base, ...outcome }, { depth }, rawError);
    emitted.push({ name, data, ts: run.endedAt, key: `${run.id}:${state.status}`, id: run.id });
  }
  return emitted;
}

/**
 * An end event's data, cut until the whole event is at most MAX_EVENT_BYTES. Values too large
 * for a row on their own are always left out; then, while the event is still too large, in this
 * order: `events` (its first is `event`), `result` (read from the run by `step.invoke`), `event`
 * (kept as its name, id and time), the error (cut to a few KiB) and `correlation_id` (only a
 * hand-made `inngest/function.invoked` event carries a large one). Each left-out value's size is
 * noted in `_inngest.omitted`.
 */
function fit(name: string, data: Record<string, unknown>, meta: Record<string, unknown>, rawError: SerializedError | undefined): Record<string, unknown> {
  const omitted: Omitted = {};
  const out = { ...data };
  const leaveOut = (key: keyof Omitted, replacement?: unknown) => {
    if (!(key in out)) return;
    omitted[key] = jsonBytes(out[key]);
    if (key === "result") out[key] = null;
    else if (replacement !== undefined) out[key] = replacement;
    else delete out[key];
  };
  const withMeta = () => ({ ...out, _inngest: { ...meta, ...(Object.keys(omitted).length > 0 ? { omitted: { ...omitted } } : {}) } });
  // An id at least as long as any the event may be given (a run id or a ULID), so the measure holds.
  const fits = () => jsonBytes({ name, data: withMeta(), id: "0".repeat(32), ts: 0, user: {} }) <= MAX_EVENT_BYTES;

  if (oversize(out["events"]) !== null) leaveOut("events");
  if ("result" in out && oversize(out["result"]) !== null) leaveOut("result");
  const event = out["event"] as SdkEvent | undefined;
  const steps: (() => void)[] = [
    () => leaveOut("events"),
    () => leaveOut("result"),
    () => event && leaveOut("event", { name: event.name, id: event.id, ts: event.ts, user: {}, data: {} }),
    () => {
      if (rawError !== undefined && "error" in out) out["error"] = capError(rawError, SYSTEM_EVENT_SMALL_ERROR_BYTES);
    },
    () => leaveOut("correlation_id"),
  ];
  for (const step of steps) {
    if (fits()) break;
    step();
  }
  return withMeta();
}
