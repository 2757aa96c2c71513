/**
 * Bounds on what a run's end events (`inngest/function.finished|failed|cancelled`) carry, so each
 * stays well inside one D1 row (MAX_ROW_BYTES) however large the run's output or batch was.
 * @module
 */
import { MAX_SYSTEM_EVENT_VALUE_BYTES } from "../constants";
import type { SerializedError } from "../protocol/serialized-error";
import { jsonBytes, splitUtf8 } from "../util/utf8";

/**
 * Sizes of values left out of an end event, in UTF-8 bytes of their JSON, under
 * `data._inngest.omitted`. A left-out `result` is read from the run itself when a parent's
 * `step.invoke` needs it.
 */
export interface Omitted {
  result?: number;
  events?: number;
}

/** Whether a value fits an end event as is, and its size when it does not. */
export function oversize(value: unknown): number | null {
  const bytes = jsonBytes(value);
  return bytes > MAX_SYSTEM_EVENT_VALUE_BYTES ? bytes : null;
}

/**
 * An error small enough for an end event: its name and as much of its message as fits, without
 * the stack, when the whole error is too large. Errors are capped rather than left out because
 * `onFailure` handlers read them from the event.
 */
export function capError<E extends SerializedError>(error: E): SerializedError {
  const bytes = oversize(error);
  if (bytes === null) return error;
  // Half the budget for the message and an eighth for the name leave room for JSON escaping.
  const [kept = ""] = splitUtf8(error.message, Math.floor(MAX_SYSTEM_EVENT_VALUE_BYTES / 2));
  const [name = ""] = splitUtf8(error.name, Math.floor(MAX_SYSTEM_EVENT_VALUE_BYTES / 8));
  const message = kept.length === error.message.length ? kept : `${kept}… (cut from ${bytes} bytes)`;
  const code = (error as { code?: unknown }).code;
  return { name, message, ...(typeof code === "string" ? { code } : {}) };
}
