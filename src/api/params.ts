/**
 * Query parameters shared by the list endpoints, as zod schemas that parse to what the history
 * queries take.
 * @module
 */
import { z } from "zod";
import { MAX_TIME_PARAM_MS } from "../constants";
import { FieldFilterError, parseFieldFilter } from "../history/field-filter";

/** The start of an RFC 3339 date: a four-digit year, so `-1` or `+010000-…` are not read as years. */
const RFC3339_START = /^\d{4}-\d{2}-\d{2}/;

/**
 * A time given as RFC 3339 (what Inngest documents) or as ms since the epoch; parsed to ms.
 * Times before 1970 or after year 9999 are refused: no event or run has them, and they are
 * usually a sign of a unit mix-up (or of `-1` meant as "none").
 */
export const timeParam = z.string().transform((text, ctx) => {
  const ms = /^\d+$/.test(text) ? Number(text) : RFC3339_START.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(ms)) {
    ctx.addIssue({ code: "custom", message: `"${text}" is not an RFC 3339 time (e.g. 2026-01-02T15:04:05Z)` });
    return z.NEVER;
  }
  if (ms < 0 || ms > MAX_TIME_PARAM_MS) {
    ctx.addIssue({ code: "custom", message: `"${text}" is out of range: give a time between 1970 and 9999` });
    return z.NEVER;
  }
  return ms;
});

/** A page size, clamped to `[1, max]` rather than rejected, as Inngest's API does. */
export function limitParam(fallback: number, max: number) {
  return z
    .string()
    .regex(/^\d+$/, "must be a whole number")
    .transform((text) => Math.min(Math.max(Number(text) || fallback, 1), max))
    .optional()
    .transform((n) => n ?? fallback);
}

/** An event field search such as `data.userId=42`. */
export const fieldParam = z.string().transform((text, ctx) => {
  try {
    return parseFieldFilter(text);
  } catch (error) {
    if (!(error instanceof FieldFilterError)) throw error;
    ctx.addIssue({ code: "custom", message: error.message });
    return z.NEVER;
  }
});
