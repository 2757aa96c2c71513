/**
 * Durable endpoints (`inngest.endpoint`): an HTTP endpoint of the app whose steps are durable.
 * The SDK runs the endpoint's request itself and reports to these routes — it creates the run
 * (`POST /v1/checkpoint`), checkpoints each step as it ends (`POST /v1/checkpoint/:runId/steps`),
 * and, when the run must wait (a sleep, an event, a step to retry), hands it over: the server
 * resumes it later by calling the endpoint, and the caller reads the response from
 * `GET /v1/http/runs/:runId/output?token=` (the SDK redirects it there), or, reading it as SSE,
 * follows the run's stream (endpoint-stream.ts). Also the run data an SDK
 * fetches when the server resumes an endpoint (`ctx.use_api`).
 * @module
 */
import { Hono } from "hono";
import type { Env } from "../env";
import {
  ENDPOINT_STREAM_TOKEN_TTL_MS,
  ENDPOINT_OUTPUT_POLL_MAX_MS,
  ENDPOINT_OUTPUT_POLL_MIN_MS,
  ENDPOINT_OUTPUT_WAIT_MS,
  MAX_CHECKPOINT_BODY_BYTES,
} from "../constants";
import { opSchema } from "../protocol/ops";
import { z } from "zod";
import { emitEvents } from "../ingest/emit-events";
import { readJsonBody, refuseLoneSurrogates } from "../util/body-limit";
import { endpointEvent, endpointIds, endpointLimitError, endpointRunStart, newRunBodySchema, runIdSchema } from "./endpoint-run";
import { outputResponse } from "./endpoint-output";
import { isOutputToken, outputToken } from "./output-token";
import { describeIssues, fail } from "./respond";
import { mintToken } from "../realtime/token";
import { tokenSecrets } from "../realtime/token-keys";
import { runStreamSubscription } from "../realtime/run-stream";

export const endpointRoutes = new Hono<{ Bindings: Env }>();

/** The body of `POST /v1/checkpoint/:runId/steps`; fields the server does not need are not required. */
const stepsBodySchema = z.looseObject({ run_id: z.string().optional(), steps: z.array(opSchema) });

endpointRoutes.post("/v1/checkpoint", async (c) => {
  const body = refuseLoneSurrogates(await readJsonBody(c, MAX_CHECKPOINT_BODY_BYTES));
  if (!body.ok) return fail(c, body.status, body.error);
  const parsed = newRunBodySchema.safeParse(body.value);
  if (!parsed.success) return fail(c, 400, `invalid checkpoint body: ${describeIssues(parsed.error)}`);
  const now = Date.now();
  const runId = parsed.data.run_id.toUpperCase();
  const event = endpointEvent(parsed.data);
  // Checked before the event is accepted: a request the run cannot keep leaves nothing behind.
  const tooLarge = endpointLimitError(parsed.data);
  if (tooLarge !== null) return fail(c, 413, tooLarge);
  // The request enters the event stream as a system event (as on Inngest), so the run has a
  // trigger event in history; a resent report emits the same event, stored once.
  const [eventId] = await emitEvents(c.env, [event], now);
  const run = c.env.RUNS.getByName(runId);
  const { created } = await run.start(endpointRunStart(parsed.data, event, eventId!, now));
  if (!created) return fail(c, 409, `run ${runId} already exists`);
  // The steps ran before the run existed; a run they end (an unsupported op) is still created.
  if (parsed.data.steps.length > 0) await run.endpointSteps(parsed.data.steps);
  const token = await outputToken(c.env, runId);
  const { appId, functionId } = endpointIds(parsed.data);
  // `realtime_token` opens the run's stream (and nothing else) at GET /v1/realtime/sse, where
  // the SDK redirects a caller that reads the endpoint as SSE: endpoint-stream.ts.
  const [secret] = await tokenSecrets(c.env);
  const realtimeToken = await mintToken(runStreamSubscription(runId), secret!, now, ENDPOINT_STREAM_TOKEN_TTL_MS);
  return c.json({ data: { run_id: runId, fn_id: functionId, app_id: appId, token, realtime_token: realtimeToken } });
});

endpointRoutes.post("/v1/checkpoint/:runId/steps", async (c) => {
  const runId = runIdSchema.safeParse(c.req.param("runId"));
  if (!runId.success) return fail(c, 400, describeIssues(runId.error));
  const body = refuseLoneSurrogates(await readJsonBody(c, MAX_CHECKPOINT_BODY_BYTES));
  if (!body.ok) return fail(c, body.status, body.error);
  const parsed = stepsBodySchema.safeParse(body.value);
  if (!parsed.success) return fail(c, 400, `invalid checkpoint body: ${describeIssues(parsed.error)}`);
  const { result } = await c.env.RUNS.getByName(runId.data.toUpperCase()).endpointSteps(parsed.data.steps);
  if (result === "missing") return fail(c, 404, `no run ${runId.data}`);
  if (result === "stale") return fail(c, 409, "run is not running in this request: it has ended or the server resumed it");
  return c.body(null, 200);
});

endpointRoutes.get("/v1/http/runs/:runId/output", async (c) => {
  const runId = runIdSchema.safeParse(c.req.param("runId"));
  const token = c.req.query("token");
  // Refused alike whatever is wrong, so the answer says nothing about which runs exist.
  if (!runId.success || !token || !(await isOutputToken(c.env, runId.data.toUpperCase(), token))) {
    return fail(c, 401, "send the run's output token as ?token= (the durable endpoint's redirect carries it)");
  }
  const run = c.env.RUNS.getByName(runId.data.toUpperCase());
  // A valid token for a run that is not there: its storage was deleted after the retention.
  if ((await run.status()) === null) return fail(c, 404, `no run ${runId.data}: it may have ended longer ago than the retention`);
  const deadline = Date.now() + ENDPOINT_OUTPUT_WAIT_MS;
  for (let pause = ENDPOINT_OUTPUT_POLL_MIN_MS; ; pause = Math.min(pause * 2, ENDPOINT_OUTPUT_POLL_MAX_MS)) {
    const result = await run.result();
    if (result !== null) return outputResponse(result);
    if (Date.now() + pause > deadline) break;
    await new Promise((r) => setTimeout(r, pause));
  }
  return c.json({ status: "running", message: `the run did not end within ${ENDPOINT_OUTPUT_WAIT_MS / 1000} s; ask again` }, 202);
});

/** Run data for an SDK that fetches it itself (`ctx.use_api`): errors in the SDK's `{error, status}` shape. */
endpointRoutes.get("/v0/runs/:runId/actions", async (c) => {
  const runId = runIdSchema.safeParse(c.req.param("runId"));
  if (!runId.success) return fail(c, 400, describeIssues(runId.error));
  const state = await c.env.RUNS.getByName(runId.data.toUpperCase()).replayState();
  if (!state) return fail(c, 404, `no run ${runId.data}`);
  return c.body(state.steps, 200, { "Content-Type": "application/json" });
});

endpointRoutes.get("/v0/runs/:runId/batch", async (c) => {
  const runId = runIdSchema.safeParse(c.req.param("runId"));
  if (!runId.success) return fail(c, 400, describeIssues(runId.error));
  const state = await c.env.RUNS.getByName(runId.data.toUpperCase()).replayState();
  if (!state) return fail(c, 404, `no run ${runId.data}`);
  return c.body(state.events, 200, { "Content-Type": "application/json" });
});
