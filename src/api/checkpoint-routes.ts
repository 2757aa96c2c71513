import { Hono } from "hono";
import { z } from "zod";
import type { Env } from "../env";
import { MAX_CHECKPOINT_BODY_BYTES } from "../constants";
import { requestClock } from "../metering/phase-timing";
import { opSchema } from "../protocol/ops";
import { readJsonBody, refuseLoneSurrogates } from "../util/body-limit";
import { localCheckpointFor } from "../sync/local-checkpoint";

/** The body of a v4 SDK's async checkpoint; fields the server does not need are not required. */
const checkpointBodySchema = z.looseObject({ run_id: z.string().optional(), steps: z.array(opSchema) });

/**
 * `POST /v1/checkpoint/:runId/async`: a v4 SDK in async-checkpointing mode reports the steps it
 * ran inside one request, so consecutive steps cost one round trip each instead of one request
 * to the app each. Answers 409 when the run has ended, which tells the SDK to stop. The body is
 * read like every other (src/api/body-limit.ts), capped at MAX_CHECKPOINT_BODY_BYTES; step outputs
 * holding a lone surrogate are refused, since the run could not send them back to the SDK.
 */
export const checkpointRoutes = new Hono<{ Bindings: Env }>();

checkpointRoutes.post("/v1/checkpoint/:runId/async", async (c) => {
  const clock = requestClock(c.env, c.req.raw, "checkpoint");
  clock?.lap("route");
  const read = await readJsonBody(c, MAX_CHECKPOINT_BODY_BYTES);
  clock?.lap("body");
  const body = refuseLoneSurrogates(read);
  if (!body.ok) return c.json({ error: body.error, status: body.status }, body.status);
  const parsed = checkpointBodySchema.safeParse(body.value);
  clock?.lap("validate");
  if (!parsed.success) {
    return c.json({ error: `invalid checkpoint body: ${parsed.error.issues[0]?.message ?? "not JSON"}`, status: 400 }, 400);
  }
  const runId = c.req.param("runId");
  // An in-process app's SDK checkpointing inside its run's own call reaches the run directly.
  const local = localCheckpointFor(runId);
  const { accepted } = await (local ? local(parsed.data.steps) : c.env.RUNS.getByName(runId).checkpoint(parsed.data.steps));
  clock?.lap("rpc");
  clock?.total("handler");
  if (!accepted) return c.json({ error: "run is not running", status: 409 }, 409);
  return c.body(null, 200);
});
