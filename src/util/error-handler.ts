/**
 * The one error handler of every router, so none of them can leak a cause: a 4xx raised on
 * purpose (Hono's `HTTPException`, e.g. from its body-limit middleware) keeps its status and
 * message; anything else is an internal error whose cause goes to the log only.
 * @module
 */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";

/**
 * The answer to an error a route raised. An unexpected error's body says nothing about the cause
 * (messages of storage or runtime errors can name tables, limits or values); the log has the
 * error under the same reference, so an operator can find it from what the caller reports.
 */
export function handleError(error: unknown, c: Context) {
  if (error instanceof HTTPException && error.status < 500) {
    return c.json({ error: error.message || "request refused", status: error.status }, error.status);
  }
  const reference = crypto.randomUUID();
  console.error(`stepflare: request failed (reference ${reference}):`, error);
  return c.json({ error: `internal error (reference ${reference}); see the server log`, status: 500 }, 500);
}
