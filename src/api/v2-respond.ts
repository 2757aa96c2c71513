/**
 * Answers and query parameters of the REST API v2: `{ data, metadata, page? }` on success, and on
 * failure Inngest's `{ errors: [{ code, message }] }` plus the `error` and `status` every other
 * stepflare route answers with, so clients of either kind read the failure.
 * @module
 */
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { z } from "zod";
import { describeIssues } from "./respond";
import { v2Metadata, v2Page } from "./v2-shapes";

/** Inngest's v2 error codes that stepflare answers with. */
export type V2ErrorCode =
  "invalid_request" | "missing_field" | "invalid_field_format" | "not_found" | "run_already_cancelled" | "run_already_ended" | "not_implemented";

/** A v2 failure. */
export function v2Fail(c: Context, status: ContentfulStatusCode, code: V2ErrorCode, message: string) {
  return c.json({ errors: [{ code, message }], error: message, status }, status);
}

/** A v2 failure for a request that did not parse. */
export function v2Invalid(c: Context, error: z.ZodError) {
  return v2Fail(c, 400, "invalid_field_format", describeIssues(error));
}

/** A ULID as stepflare and Inngest write run and event ids. */
const ULID = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

/** Inngest's 400 for a run or event id that is not a ULID, or null when `id` is one. */
export function refuseNonUlid(c: Context, id: string, what: "Run" | "Event") {
  return ULID.test(id) ? null : v2Fail(c, 400, "invalid_field_format", `${what} ID must be a valid ULID`);
}

/** A v2 success; lists pass their page. */
export function v2Ok(c: Context, data: unknown, page?: { limit: number; cursor: string | null }) {
  return c.json({ data, metadata: v2Metadata(), ...(page ? { page: v2Page(page.limit, page.cursor) } : {}) });
}

/** A query value given by its JSON name (`includeOutput`) or its proto name (`include_output`). */
export function v2Query(c: Context, json: string, proto: string): string | undefined {
  return c.req.query(json) ?? c.req.query(proto);
}

/** Every value of a repeated query parameter, by either name. */
export function v2Queries(c: Context, json: string, proto: string): string[] {
  return [...(c.req.queries(json) ?? []), ...(c.req.queries(proto) ?? [])];
}

/** A boolean query parameter as protobuf's JSON mapping reads it. */
export const v2Bool = z
  .enum(["true", "false", "1", "0"], { error: "must be true or false" })
  .optional()
  .transform((v) => v === "true" || v === "1");

/** A page size: default `fallback`, refused outside `[1, max]` as Inngest refuses it. */
export function v2Limit(fallback: number, max: number) {
  return z
    .string()
    .regex(/^\d+$/, "must be a whole number")
    .transform(Number)
    .pipe(z.number().int().min(1, "Limit must be at least 1").max(max, `Limit cannot exceed ${max}`))
    .optional()
    .transform((n) => n ?? fallback);
}

/**
 * One page of `items` (already in order) after the item whose key is `cursor`, for lists that
 * are small enough to read whole (apps, an app's functions, an event's runs). Returns null when
 * the cursor names no item.
 */
export function pageOf<T>(items: T[], key: (item: T) => string, cursor: string | undefined, limit: number) {
  const start = cursor === undefined ? 0 : items.findIndex((i) => key(i) === cursor) + 1;
  if (start === 0 && cursor !== undefined) return null;
  const page = items.slice(start, start + limit);
  const more = start + limit < items.length;
  return { page, next: more ? key(page.at(-1)!) : null };
}
