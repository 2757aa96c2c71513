/**
 * Query parameters shared by the list endpoints, as zod schemas that parse to what the history
 * queries take.
 * @module
 */
import { z } from "zod";
import { FieldFilterError, parseFieldFilter } from "../history/field-filter";

/** A time given as RFC 3339 (what Inngest documents) or as ms since the epoch; parsed to ms. */
export const timeParam = z.string().transform((text, ctx) => {
  const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (Number.isNaN(ms)) {
    ctx.addIssue({ code: "custom", message: `"${text}" is not an RFC 3339 time (e.g. 2026-01-02T15:04:05Z)` });
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
