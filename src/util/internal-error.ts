/**
 * The one answer to an error no route expected, shared by every router so none of them can leak
 * a cause.
 * @module
 */
import type { Context } from "hono";

/**
 * The answer to an error no route expected. The body says nothing about the cause (messages of
 * storage or runtime errors can name tables, limits or values); the log has the error under
 * the same reference, so an operator can find it from what the caller reports.
 */
export function internalError(c: Context, error: unknown) {
  const reference = crypto.randomUUID();
  console.error(`stepflare: request failed (reference ${reference}):`, error);
  return c.json({ error: `internal error (reference ${reference}); see the server log`, status: 500 }, 500);
}
