/**
 * The JSON answers every REST and dashboard API route gives: `{ data, metadata }` on success as
 * Inngest's v1 API does, `{ error, status }` on failure.
 * @module
 */
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { z } from "zod";
import { readJsonBody, refuseLoneSurrogates, type BodyJson } from "../util/body-limit";

/** The `metadata` Inngest's v1 API attaches to every answer; nothing here is cached. */
export function metadata() {
  return { fetched_at: new Date().toISOString(), cached_until: null };
}

/** A success body. Lists also carry `cursor`: pass it back to get the next page; null on the last. */
export function ok(c: Context, data: unknown, extra: { cursor?: string | null } = {}) {
  return c.json({ data, metadata: metadata(), ...extra });
}

/** A failure body with its status repeated inside, so clients that only read the body see it. */
export function fail(c: Context, status: ContentfulStatusCode, error: string) {
  return c.json({ error, status }, status);
}

/** One line per problem, each prefixed with the field it concerns. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => (i.path.length > 0 ? `${i.path.join(".")}: ${i.message}` : i.message)).join("; ");
}

/**
 * The request body parsed as JSON; an empty body is `undefined`, for schemas with defaults. A body
 * over MAX_REQUEST_BODY_BYTES is not read, and one that is not UTF-8 or nests deeper than
 * MAX_JSON_DEPTH, or holds a lone UTF-16 surrogate, is refused: the error says which.
 */
export async function jsonBody(c: Context): Promise<BodyJson> {
  return refuseLoneSurrogates(await readJsonBody(c));
}
