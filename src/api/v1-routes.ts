/**
 * Inngest's REST v1 API over D1 history, in Inngest's shapes so existing scripts work: events,
 * runs, an app's functions, and cancellation of one run or many.
 * @module
 */
import { Hono } from "hono";
import { ulid } from "ulid";
import { z } from "zod";
import type { Env } from "../env";
import { validateExpression } from "../expressions";
import { eventKeyset, findEvent, listEvents } from "../history/events";
import { findRun, runKeyset, runsForEvent } from "../history/runs";
import { toApiEvent } from "../history/event-view";
import { toApiRun } from "../history/run-view";
import { getApp, listFunctions } from "../sync/store";
import { findAppFunction } from "./app-function";
import { cancelById, cancelInBulk } from "./cancel-runs";
import { DEFAULT_PAGE_SIZE, MAX_EXPRESSION_LENGTH, MAX_PAGE_SIZE } from "../constants";
import { isUlid } from "../util/ulid-shape";
import { fieldParam, limitParam, timeParam } from "./params";
import { describeIssues, fail, jsonBody, ok } from "./respond";

/** Routes under `/v1`; mount at the root of the Worker's Hono app. */
export const v1Routes = new Hono<{ Bindings: Env }>();

const eventListQuery = z.object({
  name: z.string().min(1).optional(),
  received_after: timeParam.optional(),
  received_before: timeParam.optional(),
  /** The `internal_id` of the last event of the previous page. */
  cursor: z.string().min(1).optional(),
  limit: limitParam(DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE),
  /** stepflare's addition: `data.userId=42` keeps events whose field equals the value. */
  field: fieldParam.optional(),
});

v1Routes.get("/v1/events", async (c) => {
  const parsed = eventListQuery.safeParse(c.req.query());
  if (!parsed.success) return fail(c, 400, describeIssues(parsed.error));
  const q = parsed.data;
  const after = q.cursor === undefined ? undefined : await eventKeyset(c.env.DB, q.cursor);
  if (after === null) return fail(c, 400, `cursor ${q.cursor} names no event; pass the internal_id of the last event you received`);
  const events = await listEvents(c.env.DB, {
    name: q.name,
    receivedAfter: q.received_after,
    receivedBefore: q.received_before,
    field: q.field,
    after,
    limit: q.limit,
  });
  const cursor = events.length === q.limit ? events.at(-1)!.internal_id : null;
  return ok(c, events.map(toApiEvent), { cursor });
});

v1Routes.get("/v1/events/:eventId", async (c) => {
  const event = await findEvent(c.env.DB, c.req.param("eventId"));
  if (!event) return fail(c, 404, `event ${c.req.param("eventId")} not found`);
  return ok(c, toApiEvent(event));
});

v1Routes.get("/v1/events/:eventId/runs", async (c) => {
  const runs = await runsForEvent(c.env.DB, c.req.param("eventId"));
  return ok(c, runs.map(toApiRun));
});

v1Routes.get("/v1/runs/:runId", async (c) => {
  const run = await findRun(c.env.DB, c.req.param("runId"));
  if (!run) return fail(c, 404, `run ${c.req.param("runId")} not found`);
  return ok(c, toApiRun(run));
});

v1Routes.delete("/v1/runs/:runId", async (c) => {
  const runId = c.req.param("runId");
  if (!isUlid(runId)) return fail(c, 400, "run id must be a ULID (26 characters of Crockford base32, as run ids are written)");
  const outcome = await cancelById(c.env, runId);
  if (!outcome.found) return fail(c, 404, `run ${runId} not found`);
  // An ended run is left as it is; `cancelled: false` says so without failing the request.
  return ok(c, { run_id: runId, cancelled: outcome.cancelled });
});

v1Routes.get("/v1/apps/:appId/functions", async (c) => {
  const appId = c.req.param("appId");
  if (!(await getApp(c.env.DB, appId))) return fail(c, 404, `app ${appId} not found; sync it first`);
  const functions = (await listFunctions(c.env.DB)).filter((fn) => fn.appId === appId);
  return ok(
    c,
    functions.map((fn) => ({ id: fn.id, slug: fn.id, name: fn.config.name ?? fn.id, app_id: fn.appId, config: fn.config })),
  );
});

const cancellationBody = z
  .object({
    app_id: z.string().min(1),
    /** The function's id as written in the SDK, or its full slug `<app id>-<function id>`. */
    function_id: z.string().min(1),
    started_after: timeParam.optional(),
    started_before: timeParam,
    if: z.string().min(1).max(MAX_EXPRESSION_LENGTH).optional(),
    /** stepflare's addition: the `cursor` of an answer that was not `complete`, to go on from there. */
    cursor: z.string().refine(isUlid, "must be the cursor of an earlier answer (a run id)").optional(),
  })
  .refine((b) => b.started_after === undefined || b.started_after <= b.started_before, {
    message: "started_after must be before started_before",
    path: ["started_after"],
  });

v1Routes.post("/v1/cancellations", async (c) => {
  const raw = await jsonBody(c);
  if (!raw.ok) return fail(c, raw.status, raw.error);
  const parsed = cancellationBody.safeParse(raw.value);
  if (!parsed.success) return fail(c, 400, describeIssues(parsed.error));
  const body = parsed.data;
  if (body.started_before > Date.now()) return fail(c, 400, "started_before must be in the past");
  if (body.if !== undefined) {
    const problem = validateExpression(body.if);
    if (problem) return fail(c, 400, `if: invalid expression: ${problem}`);
  }
  const fn = await findAppFunction(c.env.DB, body.app_id, body.function_id);
  if (!fn) return fail(c, 404, `function ${body.function_id} not found in app ${body.app_id}`);
  const after = body.cursor === undefined ? undefined : await runKeyset(c.env.DB, body.cursor);
  if (after === null) return fail(c, 400, `cursor ${body.cursor} names no run; pass the cursor of the previous answer`);
  const result = await cancelInBulk(c.env, {
    functionId: fn.id,
    from: body.started_after ?? 0,
    to: body.started_before,
    expression: body.if,
    after,
  });
  return ok(c, {
    id: ulid(),
    app_id: body.app_id,
    function_id: fn.id,
    started_after: body.started_after === undefined ? null : new Date(body.started_after).toISOString(),
    started_before: new Date(body.started_before).toISOString(),
    if: body.if ?? null,
    created_at: new Date().toISOString(),
    ...result,
  });
});
