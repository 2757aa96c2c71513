import { Hono } from "hono";
import type { Env } from "../env";
import { acceptEvents } from "../ingest/accept-events";
import { requestClock } from "../metering/phase-timing";
import { isProduction } from "../mode";
import { readBodyText } from "../util/body-limit";

/**
 * `POST /e/:eventKey`: the event API the SDK's `inngest.send()` and `step.sendEvent` call. A body
 * over MAX_REQUEST_BODY_BYTES is refused with 413 before it is read; one that is not UTF-8, or
 * nests deeper than MAX_JSON_DEPTH, with 400.
 */
export const eventRoutes = new Hono<{ Bindings: Env }>();

eventRoutes.post("/e/:eventKey", async (c) => {
  const clock = requestClock(c.env, c.req.raw, "ingest");
  if (isProduction(c.env) && !eventKeys(c.env).includes(c.req.param("eventKey"))) {
    return c.json({ ids: [], status: 401, error: "Event key not found" }, 401);
  }
  clock?.lap("route");
  const body = await readBodyText(c);
  clock?.lap("body");
  if (!body.ok) return c.json({ ids: [], status: body.status, error: body.error }, body.status);
  const result = await acceptEvents(c.env, body.text, c.req.header("x-inngest-event-id-seed") ?? null, Date.now(), clock);
  if (!result.ok) return c.json({ ids: [], status: result.status, error: result.error }, result.status);
  const answer = c.json({ ids: result.ids, status: 200 });
  clock?.lap("answer");
  clock?.total("handler");
  return answer;
});

function eventKeys(env: Env): string[] {
  return (env.INNGEST_EVENT_KEY ?? "")
    .split(",")
    .map((k) => k.trim())
    .filter((k) => k.length > 0);
}
