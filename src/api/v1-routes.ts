import { Hono } from "hono";
import type { Env } from "../env";
import { findEvent, findRun, runsForEvent } from "../history/queries";
import { toApiRun } from "../history/run-view";

/** Inngest's REST v1 read endpoints, backed by D1 history. */
export const v1Routes = new Hono<{ Bindings: Env }>();

const metadata = () => ({ fetched_at: new Date().toISOString(), cached_until: null });

v1Routes.get("/v1/events/:eventId", async (c) => {
  const event = await findEvent(c.env.DB, c.req.param("eventId"));
  if (!event) return c.json({ error: `event ${c.req.param("eventId")} not found`, status: 404 }, 404);
  const { internalId, ...fields } = JSON.parse(event.data) as { internalId: string } & Record<string, unknown>;
  return c.json({
    data: { internal_id: internalId, ...fields, received_at: new Date(event.received_at).toISOString(), status: event.status },
    metadata: metadata(),
  });
});

v1Routes.get("/v1/events/:eventId/runs", async (c) => {
  const runs = await runsForEvent(c.env.DB, c.req.param("eventId"));
  return c.json({ data: runs.map(toApiRun), metadata: metadata() });
});

v1Routes.get("/v1/runs/:runId", async (c) => {
  const run = await findRun(c.env.DB, c.req.param("runId"));
  if (!run) return c.json({ error: `run ${c.req.param("runId")} not found`, status: 404 }, 404);
  return c.json({ data: toApiRun(run), metadata: metadata() });
});
