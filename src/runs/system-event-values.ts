/**
 * Bounds on what a run's end events (`inngest/function.finished|failed|cancelled`) carry, so each
 * stays within MAX_EVENT_BYTES, like an event a user sends, however large the run's output or
 * batch was and however many end events came before it.
 * @module
 */
import { MAX_SYSTEM_EVENT_VALUE_BYTES } from "../constants";
import type { SdkEvent } from "../ingest/event";
import type { SerializedError } from "../protocol/serialized-error";
import { jsonBytes, splitUtf8 } from "../util/utf8";

/**
 * Sizes of values left out of an end event, in UTF-8 bytes of their JSON, under
 * `data._inngest.omitted`. A left-out `result` is read from the run itself when a parent's
 * `step.invoke` needs it; a left-out `event` is replaced by its name, id and time.
 */
export interface Omitted {
  result?: number;
  events?: number;
  event?: number;
  correlation_id?: number;
}

/** The event a parent's `step.invoke` emits to start its child. */
const INVOKED_EVENT = "inngest/function.invoked";

/** The names of the events a run emits when it ends. */
const END_EVENT_NAMES: ReadonlySet<string> = new Set(["inngest/function.finished", "inngest/function.failed", "inngest/function.cancelled"]);

/** Whether an event is one a run emits when it ends. */
export function isEndEvent(name: string): boolean {
  return END_EVENT_NAMES.has(name);
}

/**
 * An event as an end event embeds it. An end event that started the run loses its own `event`
 * and `events` (the run before it is named by `run_id`), so a chain of runs each started by the
 * last one's end event does not nest every earlier generation, doubling in size each time.
 */
export function embeddable(event: SdkEvent): SdkEvent {
  if (!isEndEvent(event.name)) return event;
  const data = Object.fromEntries(Object.entries(event.data).filter(([key]) => key !== "event" && key !== "events"));
  return { ...event, data };
}

/**
 * How many end events in a row led to this one: an end event's `data._inngest.depth`, one more
 * than the deepest end event among the events that started the run that emitted it. An
 * `inngest/function.invoked` event carries the depth of the run that invoked (see
 * {@link runChainDepth}), so a chain that passes through `step.invoke` keeps counting instead of
 * starting again at the invoked child. Any other event is depth 0; an end event without a usable
 * depth (stored before depths existed, or sent by hand) counts as 1, an invoke event as 0.
 */
export function chainDepthOf(event: { name: string; data: Record<string, unknown> }): number {
  const invoked = event.name === INVOKED_EVENT;
  if (!invoked && !isEndEvent(event.name)) return 0;
  const meta = event.data["_inngest"];
  const depth = typeof meta === "object" && meta !== null ? (meta as Record<string, unknown>)["depth"] : undefined;
  const least = invoked ? 0 : 1;
  return typeof depth === "number" && Number.isSafeInteger(depth) && depth >= least ? depth : least;
}

/**
 * The chain depth of a run: the deepest of the events that started it. Its end events are one
 * deeper; the `inngest/function.invoked` events it emits carry it as it is, so a function that
 * is started by end events and invokes others (which end, and start it again) is bounded by
 * MAX_FUNCTION_EVENT_DEPTH like one started by end events directly.
 */
export function runChainDepth(events: readonly { name: string; data: Record<string, unknown> }[]): number {
  return Math.max(0, ...events.map(chainDepthOf));
}

/** Whether a value fits an end event as is, and its size when it does not. */
export function oversize(value: unknown): number | null {
  const bytes = jsonBytes(value);
  return bytes > MAX_SYSTEM_EVENT_VALUE_BYTES ? bytes : null;
}

/**
 * An error small enough for an end event: its name and as much of its message as fits, without
 * the stack, when the whole error is larger than `maxBytes`. Errors are capped rather than left
 * out because `onFailure` handlers read them from the event.
 */
export function capError<E extends SerializedError>(error: E, maxBytes = MAX_SYSTEM_EVENT_VALUE_BYTES): SerializedError {
  const bytes = jsonBytes(error);
  if (bytes <= maxBytes) return error;
  // Half the budget for the message and an eighth for the name leave room for JSON escaping.
  const [kept = ""] = splitUtf8(error.message, Math.floor(maxBytes / 2));
  const [name = ""] = splitUtf8(error.name, Math.floor(maxBytes / 8));
  const message = kept.length === error.message.length ? kept : `${kept}… (cut from ${bytes} bytes)`;
  const code = (error as { code?: unknown }).code;
  return { name, message, ...(typeof code === "string" ? { code } : {}) };
}
