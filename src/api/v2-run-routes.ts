/**
 * Inngest's REST API v2 for runs, as its dev server serves it under `/api/v2` and the `inngest
 * api` CLI and dev-server MCP call it: a run, its trace, an event's runs, the run list, rerun and
 * cancel. Reads come from D1 history; actions reuse the ones the v1 API and dashboard use.
 * @module
 */
import { Hono, type Context } from "hono";
import { z } from "zod";
import type { Env } from "../env";
import { findRun, listRuns, runKeyset, runsForEvent, type ListedRun } from "../history/runs";
import { stepsOfRun } from "../history/steps";
import { buildTrace, outputIdFor, spanOutput, type SpanOutput } from "../history/trace";
import { V2_EVENT_RUNS_MAX, V2_PAGE_DEFAULT, V2_RUNS_MAX } from "../constants";
import { cancelById } from "./cancel-runs";
import { findAppFunction } from "./app-function";
import { timeParam } from "./params";
import { rerunRun } from "./rerun";
import { jsonBody } from "./respond";
import { pageOf, refuseNonUlid, v2Bool, v2Fail, v2Invalid, v2Limit, v2Ok, v2Queries, v2Query } from "./v2-respond";
import { toV2Run, toV2Span, V2_RUN_STATUSES } from "./v2-shapes";

/** Routes under `/api/v2` for runs; mount at the root of the Worker's Hono app. */
export const v2RunRoutes = new Hono<{ Bindings: Env }>();

type V2Context = Context<{ Bindings: Env }>;

v2RunRoutes.get("/api/v2/runs/:runId", async (c) => {
  const include = v2Bool.safeParse(v2Query(c, "includeOutput", "include_output"));
  if (!include.success) return v2Invalid(c, include.error);
  const refused = refuseNonUlid(c, c.req.param("runId"), "Run");
  if (refused) return refused;
  const run = await findRun(c.env.DB, c.req.param("runId"));
  if (!run) return v2Fail(c, 404, "not_found", "Run not found");
  return v2Ok(c, toV2Run(run, include.data));
});

v2RunRoutes.get("/api/v2/runs/:runId/trace", async (c) => {
  const include = v2Bool.safeParse(v2Query(c, "includeOutput", "include_output"));
  if (!include.success) return v2Invalid(c, include.error);
  const runId = c.req.param("runId");
  const refused = refuseNonUlid(c, runId, "Run");
  if (refused) return refused;
  const run = await findRun(c.env.DB, runId);
  if (!run) return v2Fail(c, 404, "not_found", "Trace not found");
  const steps = await stepsOfRun(c.env.DB, runId);
  let outputs: Map<string, SpanOutput> | null = null;
  if (include.data) {
    outputs = new Map(steps.map((s) => [outputIdFor(runId, s.step_id), spanOutput(s)]));
    outputs.set(outputIdFor(runId), spanOutput(run));
  }
  return v2Ok(c, { runId, rootSpan: toV2Span(buildTrace(run, steps), outputs) });
});

const eventRunsQuery = z.object({
  includeOutput: v2Bool,
  cursor: z.string().min(1).optional(),
  limit: v2Limit(V2_PAGE_DEFAULT, V2_EVENT_RUNS_MAX),
});

v2RunRoutes.get("/api/v2/events/:eventId/runs", async (c) => {
  const parsed = eventRunsQuery.safeParse({
    includeOutput: v2Query(c, "includeOutput", "include_output"),
    cursor: c.req.query("cursor"),
    limit: c.req.query("limit"),
  });
  if (!parsed.success) return v2Invalid(c, parsed.error);
  const refused = refuseNonUlid(c, c.req.param("eventId"), "Event");
  if (refused) return refused;
  const q = parsed.data;
  // An event starts at most one run per function, so its runs are read whole and paged here.
  const paged = pageOf(await runsForEvent(c.env.DB, c.req.param("eventId")), (r) => r.id, q.cursor, q.limit);
  if (!paged) return v2Fail(c, 400, "invalid_field_format", "Cursor is invalid");
  return v2Ok(
    c,
    paged.page.map((r) => toV2Run(r, q.includeOutput)),
    { limit: q.limit, cursor: paged.next },
  );
});

const runStatus = z
  .string()
  .transform((s) => s.trim().toUpperCase())
  .pipe(z.enum(Object.keys(V2_RUN_STATUSES) as (keyof typeof V2_RUN_STATUSES)[], { error: "Status is invalid" }))
  .transform((s) => V2_RUN_STATUSES[s]);

const runListQuery = z
  .object({
    includeOutput: v2Bool,
    cursor: z.string().min(1).optional(),
    limit: v2Limit(V2_PAGE_DEFAULT, V2_RUNS_MAX),
    from: timeParam.optional(),
    until: timeParam.optional(),
    // History keeps runs in queue order only; other orders are refused rather than ignored.
    timeField: z.enum(["queuedAt", "QUEUED_AT", "queued_at"], { error: "only queuedAt is supported" }).optional(),
    order: z.enum(["DESC", "desc"], { error: "only DESC is supported" }).optional(),
    status: z.array(runStatus),
    appId: z.array(z.string().min(1)).max(1, "one appId at a time"),
    functionId: z.array(z.string().min(1)).max(1, "one functionId at a time"),
  })
  .refine((q) => q.functionId.length === 0 || q.appId.length === 1, { message: "appId is required when filtering by functionId", path: ["appId"] })
  .refine((q) => q.from === undefined || q.until === undefined || q.from < q.until, { message: "from must be before until", path: ["from"] });

/** Lists runs for `GET /runs` and `GET /apps/:appId/functions/:functionId/runs`. */
async function listV2Runs(c: V2Context, scope: { appId?: string; functionId?: string }) {
  const parsed = runListQuery.safeParse({
    includeOutput: v2Query(c, "includeOutput", "include_output"),
    cursor: c.req.query("cursor"),
    limit: c.req.query("limit"),
    from: c.req.query("from"),
    until: c.req.query("until"),
    timeField: v2Query(c, "timeField", "time_field"),
    order: c.req.query("order"),
    status: c.req.queries("status") ?? [],
    appId: scope.appId === undefined ? v2Queries(c, "appId", "app_id") : [scope.appId],
    functionId: scope.functionId === undefined ? v2Queries(c, "functionId", "function_id") : [scope.functionId],
  });
  if (!parsed.success) return v2Invalid(c, parsed.error);
  const q = parsed.data;
  const [appId] = q.appId;
  const [functionId] = q.functionId;
  const fn = appId !== undefined && functionId !== undefined ? await findAppFunction(c.env.DB, appId, functionId) : undefined;
  if (fn === null) return v2Fail(c, 404, "not_found", "Function not found");
  const after = q.cursor === undefined ? undefined : await runKeyset(c.env.DB, q.cursor);
  if (after === null) return v2Fail(c, 400, "invalid_field_format", "Cursor is invalid");
  // One more than asked for tells whether another page follows.
  const runs: ListedRun[] = await listRuns(c.env.DB, {
    appId,
    functionId: fn?.id,
    statuses: q.status,
    queuedAfter: q.from,
    // `until` is inclusive in v2; history's bound is exclusive.
    queuedBefore: q.until === undefined ? undefined : q.until + 1,
    after,
    limit: q.limit + 1,
  });
  const page = runs.slice(0, q.limit);
  return v2Ok(
    c,
    page.map((r) => toV2Run(r, q.includeOutput)),
    { limit: q.limit, cursor: runs.length > q.limit ? page.at(-1)!.id : null },
  );
}

v2RunRoutes.get("/api/v2/runs", (c) => listV2Runs(c, {}));

v2RunRoutes.get("/api/v2/apps/:appId/functions/:functionId/runs", (c) => listV2Runs(c, { appId: c.req.param("appId"), functionId: c.req.param("functionId") }));

const rerunBody = z
  .object({
    fromStep: z
      .object({
        stepId: z.string().min(1, "Step ID is required"),
        input: z.array(z.unknown()).optional(),
      })
      .optional(),
  })
  .optional();

v2RunRoutes.post("/api/v2/runs/:runId/rerun", async (c) => {
  const raw = await jsonBody(c);
  if (!raw.ok) return v2Fail(c, raw.status, "invalid_request", raw.error);
  const parsed = rerunBody.safeParse(raw.value);
  if (!parsed.success) return v2Invalid(c, parsed.error);
  const fromStep = parsed.data?.fromStep;
  // Steps are replayed from the original run's stored results; a replacement input has no place there.
  if (fromStep?.input !== undefined)
    return v2Fail(c, 400, "invalid_request", "fromStep.input is not supported: the rerun replays the original run's step results");
  const runId = c.req.param("runId");
  const refused = refuseNonUlid(c, runId, "Run");
  if (refused) return refused;
  let hashedStep: string | undefined;
  if (fromStep) {
    const matches = (await stepsOfRun(c.env.DB, runId)).filter((s) => s.name === fromStep.stepId || s.step_id === fromStep.stepId);
    if (matches.length === 0) return v2Fail(c, 400, "invalid_request", "Step not found in original run");
    if (matches.length > 1) return v2Fail(c, 400, "invalid_request", "Step name matches multiple steps in original run");
    hashedStep = matches[0]!.step_id;
  }
  const outcome = await rerunRun(c.env, runId, hashedStep, Date.now());
  if (!outcome.ok) return v2Fail(c, outcome.status, outcome.status === 404 ? "not_found" : "invalid_request", outcome.error);
  return v2Ok(c, { runId: outcome.runId });
});

v2RunRoutes.post("/api/v2/runs/:runId/cancel", async (c) => {
  const runId = c.req.param("runId");
  const refused = refuseNonUlid(c, runId, "Run");
  if (refused) return refused;
  const outcome = await cancelById(c.env, runId);
  if (!outcome.found) return v2Fail(c, 404, "not_found", "Run not found");
  if (outcome.cancelled) return v2Ok(c, { runId });
  // History may lag the run by a moment, so a run it still shows active has just ended.
  if (outcome.status === "cancelled") return v2Fail(c, 409, "run_already_cancelled", "Run is already cancelled");
  return v2Fail(c, 409, "run_already_ended", "Cannot cancel an ended run");
});
