/**
 * The errors of a step's failed attempts as its history keeps them: a JSON array, oldest attempt
 * first, of at most HISTORY_ATTEMPT_ERRORS_PER_STEP entries (the newest), each error capped at
 * HISTORY_ATTEMPT_ERROR_BYTES. The step's own `error` stays the latest one in full.
 * @module
 */
import { z } from "zod";
import { HISTORY_ATTEMPT_ERROR_BYTES, HISTORY_ATTEMPT_ERRORS_PER_STEP } from "../constants";
import { serializedErrorSchema } from "../protocol/serialized-error";
import { capError } from "./system-event-values";

/** One failed attempt: its number (1 = first), its error and when it was recorded (ms). */
export const attemptErrorSchema = z.object({
  attempt: z.number().int(),
  error: serializedErrorSchema,
  at: z.number(),
});
/** One failed attempt. */
export type AttemptError = z.infer<typeof attemptErrorSchema>;

const listSchema = z.array(attemptErrorSchema);

/**
 * The stored list with attempt `attempt`'s error added (replacing one recorded for the same
 * attempt, as a repeated delivery of the same answer would). A list or error that cannot be read
 * is started afresh or recorded as unreadable: history never blocks the run.
 */
export function addAttemptError(stored: string | null, attempt: number, errorJson: string, at: number): string {
  let list: AttemptError[] = [];
  if (stored !== null) {
    try {
      const read = listSchema.safeParse(JSON.parse(stored));
      if (read.success) list = read.data;
    } catch {
      // An unreadable list is replaced by one holding this attempt.
    }
  }
  const error = parseError(errorJson);
  const next = [...list.filter((e) => e.attempt !== attempt), { attempt, error: capError(error, HISTORY_ATTEMPT_ERROR_BYTES), at }]
    .sort((a, b) => a.attempt - b.attempt)
    .slice(-HISTORY_ATTEMPT_ERRORS_PER_STEP);
  return JSON.stringify(next);
}

function parseError(json: string): z.infer<typeof serializedErrorSchema> {
  try {
    const read = serializedErrorSchema.safeParse(JSON.parse(json));
    if (read.success) return read.data;
  } catch {
    // Falls through to the placeholder below.
  }
  return { name: "Error", message: "the attempt's error could not be read" };
}
