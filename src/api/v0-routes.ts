/**
 * What the dashboard reads and does beyond Inngest's v1 API: the event stream with run counts and
 * field search, the filtered run list, a run's timeline, sending events, invoking a function and
 * rerunning a run. Runs and events overlap with v1 and read the same: RFC 3339 times and v1's
 * run statuses (`Running`, `Completed`, ...; a queued run is `Running` with `started_at` null).
 * Metrics are chart data, in ms.
 * @module
 */
import { Hono } from "hono";
import { z } from "zod";
import type { Env } from "../env";
import { isJsonObject } from "../ingest/event";
import { acceptEvents } from "../ingest/accept-events";
import { toApiEvent, toUiEvent } from "../history/event-view";
import { eventKeyset, findEvent, listEvents } from "../history/events";
import { findRun, listRuns, rerunLinks, RUN_STATUSES, runKeyset } from "../history/runs";
import { toUiRun, toUiStep } from "../history/run-view";
import { stepName, stepsOfRun } from "../history/steps";
import { invokedBy, invokedRuns } from "../history/invoke-links";
import { eventEffects } from "../history/event-effects";
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, METRICS_DEFAULT_WINDOW_HOURS, METRICS_MAX_WINDOW_HOURS } from "../constants";
import { functionTotals, metricsBuckets, metricsWindow } from "../history/metrics";
import { fieldParam, limitParam, timeParam } from "./params";
import { invokeFunction, rerunRun } from "./rerun";
import { readBodyText } from "../util/body-limit";
import { describeIssues, fail, jsonBody, ok } from "./respond";

/** Routes under `/v0` for the dashboard; mount at the root of the Worker's Hono app. */
export const v0Routes = new Hono<{ Bindings: Env }>();

const eventQuery = z.object({
  name: z.string().min(1).optional(),
  field: fieldParam.optional(),
  after: timeParam.optional(),
  before: timeParam.optional(),
  /** `1` includes the events the server emits itself (`inngest/...`). */
  internal: z.enum(["0", "1"]).default("0"),
  cursor: z.string().min(1).optional(),
  limit: limitParam(DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE),
});

v0Routes.get("/v0/events", async (c) => {
  const parsed = eventQuery.safeParse(c.req.query());
  if (!parsed.success) return fail(c, 400, describeIssues(parsed.error));
  const q = parsed.data;
  const after = q.cursor === undefined ? undefined : await eventKeyset(c.env.DB, q.cursor);
  if (after === null) return fail(c, 400, `cursor ${q.cursor} names no event`);
  const events = await listEvents(c.env.DB, {
    name: q.name,
    field: q.field,
    receivedAfter: q.after,
    receivedBefore: q.before,
    hideInternal: q.internal === "0",
    after,
    limit: q.limit,
  });
  return ok(c, events.map(toUiEvent), { cursor: events.length === q.limit ? events.at(-1)!.internal_id : null });
});

v0Routes.get("/v0/events/:eventId/effects", async (c) => {
  const eventId = c.req.param("eventId");
  const event = await findEvent(c.env.DB, eventId);
  if (!event) return fail(c, 404, `event ${eventId} not found`);
  return ok(c, await eventEffects(c.env.DB, eventId));
});

v0Routes.post("/v0/events", async (c) => {
  // The same validation and storage as `POST /e/:key`; the dashboard session stands in for a key.
  const body = await readBodyText(c);
  if (!body.ok) return fail(c, body.status, body.error);
  const result = await acceptEvents(c.env, body.text, null, Date.now());
  if (!result.ok) return fail(c, result.status, result.error);
  return ok(c, { ids: result.ids });
});

const statusList = z
  .string()
  .transform((text) =>
    text
      .split(",")
      .map((s) => s.trim().toLowerCase())
      .filter((s) => s.length > 0),
  )
  .pipe(z.array(z.enum(RUN_STATUSES)));

const runQuery = z.object({
  function_id: z.string().min(1).optional(),
  app_id: z.string().min(1).optional(),
  /** Comma-separated: `queued,running`. */
  status: statusList.optional(),
  after: timeParam.optional(),
  before: timeParam.optional(),
  cursor: z.string().min(1).optional(),
  limit: limitParam(DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE),
});

v0Routes.get("/v0/runs", async (c) => {
  const parsed = runQuery.safeParse(c.req.query());
  if (!parsed.success) return fail(c, 400, describeIssues(parsed.error));
  const q = parsed.data;
  const after = q.cursor === undefined ? undefined : await runKeyset(c.env.DB, q.cursor);
  if (after === null) return fail(c, 400, `cursor ${q.cursor} names no run`);
  const runs = await listRuns(c.env.DB, {
    functionId: q.function_id,
    appId: q.app_id,
    statuses: q.status,
    queuedAfter: q.after,
    queuedBefore: q.before,
    after,
    limit: q.limit,
  });
  return ok(c, runs.map(toUiRun), { cursor: runs.length === q.limit ? runs.at(-1)!.id : null });
});

v0Routes.get("/v0/runs/:runId", async (c) => {
  const runId = c.req.param("runId");
  const run = await findRun(c.env.DB, runId);
  if (!run) return fail(c, 404, `run ${runId} not found`);
  const [steps, event, links] = await Promise.all([stepsOfRun(c.env.DB, runId), findEvent(c.env.DB, run.event_id), rerunLinks(c.env.DB, runId)]);
  const from = links.of?.from_step ?? null;
  // Steps before `from` were replayed from the original run's memos; the reader needs its name.
  const fromName = links.of && from !== null ? await stepName(c.env.DB, links.of.rerun_of, from) : null;
  const children = await invokedRuns(
    c.env.DB,
    runId,
    steps.filter((s) => s.op === "InvokeFunction").map((s) => s.step_id),
  );
  return ok(c, {
    run: toUiRun(run),
    steps: steps.map((s) => ({ ...toUiStep(s), invoked_run_id: children.get(s.step_id) ?? null })),
    invoked_by: invokedBy(event),
    event: event ? toApiEvent(event) : null,
    rerun_of: links.of && { run_id: links.of.rerun_of, from_step: from, from_step_name: fromName },
    reruns: links.reruns.map((l) => ({ run_id: l.run_id, from_step: l.from_step, created_at: new Date(l.created_at).toISOString() })),
  });
});

const rerunBody = z.object({ from_step: z.string().min(1).optional() }).optional();

v0Routes.post("/v0/runs/:runId/rerun", async (c) => {
  const body = await jsonBody(c);
  if (!body.ok) return fail(c, body.status, body.error);
  const parsed = rerunBody.safeParse(body.value);
  if (!parsed.success) return fail(c, 400, describeIssues(parsed.error));
  const outcome = await rerunRun(c.env, c.req.param("runId"), parsed.data?.from_step, Date.now());
  if (!outcome.ok) return fail(c, outcome.status, outcome.error);
  return ok(c, { run_id: outcome.runId });
});

const invokeBody = z.object({ data: z.custom<Record<string, unknown>>(isJsonObject, { error: "must be an object" }).default({}) }).optional();

v0Routes.post("/v0/functions/:functionId/invoke", async (c) => {
  const body = await jsonBody(c);
  if (!body.ok) return fail(c, body.status, body.error);
  const parsed = invokeBody.safeParse(body.value);
  if (!parsed.success) return fail(c, 400, describeIssues(parsed.error));
  const functionId = c.req.param("functionId");
  const eventId = await invokeFunction(c.env, functionId, parsed.data?.data ?? {}, Date.now());
  if (eventId === null) return fail(c, 404, `function ${functionId} not found; sync its app first`);
  return ok(c, { event_id: eventId });
});

const metricsQuery = z.object({
  /** One function's runs; all runs when absent. */
  function_id: z.string().min(1).optional(),
  /** The window, in whole hours back from now. */
  hours: z
    .string()
    .regex(/^\d+$/, "must be a whole number of hours")
    .transform(Number)
    .pipe(z.number().int().min(1).max(METRICS_MAX_WINDOW_HOURS))
    .default(METRICS_DEFAULT_WINDOW_HOURS),
});

v0Routes.get("/v0/metrics", async (c) => {
  const parsed = metricsQuery.safeParse(c.req.query());
  if (!parsed.success) return fail(c, 400, describeIssues(parsed.error));
  const { function_id: functionId, hours } = parsed.data;
  const window = metricsWindow(Date.now(), hours);
  const [buckets, functions] = await Promise.all([
    metricsBuckets(c.env.DB, window, functionId ?? null),
    functionId === undefined ? functionTotals(c.env.DB, window) : Promise.resolve(null),
  ]);
  return ok(c, {
    function_id: functionId ?? null,
    from: window.from,
    to: window.to,
    bucket_ms: window.bucketMs,
    buckets,
    ...(functions === null ? {} : { functions }),
  });
});
