/**
 * Inngest's REST API v2 for apps and functions under `/api/v2`: health, the app list, an app, its
 * functions, one function, and invoking it.
 * @module
 */
import { Hono } from "hono";
import { z } from "zod";
import type { Env } from "../env";
import { isJsonObject } from "../ingest/event";
import { runIdFor } from "../runs/run-id";
import { getApp, listApps, listFunctions } from "../sync/store";
import { V2_APPS_MAX, V2_FUNCTIONS_MAX, V2_PAGE_DEFAULT } from "../constants";
import { findAppFunction } from "./app-function";
import { invokeFunction } from "./rerun";
import { jsonBody } from "./respond";
import { pageOf, v2Bool, v2Fail, v2Invalid, v2Limit, v2Ok } from "./v2-respond";
import { toV2App, toV2Function } from "./v2-shapes";

/** Routes under `/api/v2` for apps and functions; mount at the root of the Worker's Hono app. */
export const v2AppRoutes = new Hono<{ Bindings: Env }>();

v2AppRoutes.get("/api/v2/health", (c) => v2Ok(c, { status: "ok" }));

const appListQuery = z.object({
  cursor: z.string().min(1).optional(),
  limit: v2Limit(V2_PAGE_DEFAULT, V2_APPS_MAX),
  archived: v2Bool,
});

/** How many functions each app has. */
async function functionCounts(db: D1Database): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const fn of await listFunctions(db)) counts.set(fn.appId, (counts.get(fn.appId) ?? 0) + 1);
  return counts;
}

v2AppRoutes.get("/api/v2/apps", async (c) => {
  const parsed = appListQuery.safeParse({ cursor: c.req.query("cursor"), limit: c.req.query("limit"), archived: c.req.query("archived") });
  if (!parsed.success) return v2Invalid(c, parsed.error);
  const q = parsed.data;
  // stepflare keeps no archived apps: an app that stops syncing is simply removed.
  const apps = q.archived ? [] : await listApps(c.env.DB);
  const paged = pageOf(apps, (a) => a.id, q.cursor, q.limit);
  if (!paged) return v2Fail(c, 400, "invalid_field_format", "Cursor is invalid");
  const counts = await functionCounts(c.env.DB);
  return v2Ok(
    c,
    paged.page.map((a) => toV2App(a, counts.get(a.id) ?? 0)),
    { limit: q.limit, cursor: paged.next },
  );
});

v2AppRoutes.get("/api/v2/apps/:appId", async (c) => {
  const app = await getApp(c.env.DB, c.req.param("appId"));
  if (!app) return v2Fail(c, 404, "not_found", "App not found");
  const counts = await functionCounts(c.env.DB);
  return v2Ok(c, toV2App(app, counts.get(app.id) ?? 0));
});

const functionListQuery = z.object({ cursor: z.string().min(1).optional(), limit: v2Limit(V2_PAGE_DEFAULT, V2_FUNCTIONS_MAX) });

v2AppRoutes.get("/api/v2/apps/:appId/functions", async (c) => {
  const parsed = functionListQuery.safeParse({ cursor: c.req.query("cursor"), limit: c.req.query("limit") });
  if (!parsed.success) return v2Invalid(c, parsed.error);
  const appId = c.req.param("appId");
  if (!(await getApp(c.env.DB, appId))) return v2Fail(c, 404, "not_found", "App not found");
  const functions = (await listFunctions(c.env.DB)).filter((fn) => fn.appId === appId);
  const paged = pageOf(functions, (f) => f.id, parsed.data.cursor, parsed.data.limit);
  if (!paged) return v2Fail(c, 400, "invalid_field_format", "Cursor is invalid");
  return v2Ok(c, paged.page.map(toV2Function), { limit: parsed.data.limit, cursor: paged.next });
});

v2AppRoutes.get("/api/v2/apps/:appId/functions/:functionId", async (c) => {
  const fn = await findAppFunction(c.env.DB, c.req.param("appId"), c.req.param("functionId"));
  if (!fn) return v2Fail(c, 404, "not_found", "Function not found");
  return v2Ok(c, toV2Function(fn));
});

const invokeBody = z.object({
  data: z.custom<Record<string, unknown>>(isJsonObject, { error: "must be an object" }).default({}),
  idempotencyKey: z.string().optional(),
});

v2AppRoutes.post("/api/v2/apps/:appId/functions/:functionId/invoke", async (c) => {
  const raw = await jsonBody(c);
  if (!raw.ok) return v2Fail(c, raw.status, "invalid_request", raw.error);
  const parsed = invokeBody.safeParse(raw.value ?? {});
  if (!parsed.success) return v2Invalid(c, parsed.error);
  // Invocations are not deduplicated by key here; refusing says so instead of ignoring the key.
  if (parsed.data.idempotencyKey !== undefined) return v2Fail(c, 400, "invalid_request", "idempotencyKey is not supported");
  const fn = await findAppFunction(c.env.DB, c.req.param("appId"), c.req.param("functionId"));
  if (!fn) return v2Fail(c, 404, "not_found", "Function not found");
  const now = Date.now();
  const eventId = await invokeFunction(c.env, fn.id, parsed.data.data, now);
  if (eventId === null) return v2Fail(c, 404, "not_found", "Function not found");
  // Routing names the run after its (event, function) pair, so its id is known before it starts.
  return v2Ok(c, { runId: await runIdFor(eventId, fn.id), queuedAt: new Date(now).toISOString() });
});
