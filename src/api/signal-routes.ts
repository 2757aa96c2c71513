/**
 * `POST /v1/signals`, what `inngest.sendSignal` and `step.sendSignal` call: resumes the step
 * waiting for the signal with `{ signal, data }` and answers `{ data: { run_id } }`. When no
 * step waits for it, the answer is a 404, which the SDK reports as `{ runId: undefined }`.
 * Production mode requires the signing key, like every `/v1` route (auth.ts).
 * @module
 */
import { Hono } from "hono";
import { z } from "zod";
import { MAX_SIGNAL_DATA_BYTES, MAX_SIGNAL_NAME_LENGTH } from "../constants";
import type { Env } from "../env";
import { jsonBytes } from "../util/utf8";
import { signalShard } from "../waits/signal-holds";
import { describeIssues, fail, jsonBody, ok } from "./respond";

/** Routes for signals; mount at the root of the Worker's Hono app. */
export const signalRoutes = new Hono<{ Bindings: Env }>();

const signalBody = z.object({
  signal: z.string().min(1).max(MAX_SIGNAL_NAME_LENGTH),
  data: z.unknown().optional(),
});

signalRoutes.post("/v1/signals", async (c) => {
  const raw = await jsonBody(c);
  if (!raw.ok) return fail(c, raw.status, raw.error);
  const parsed = signalBody.safeParse(raw.value);
  if (!parsed.success) return fail(c, 400, describeIssues(parsed.error));
  const { signal } = parsed.data;
  const data = parsed.data.data ?? null;
  const bytes = jsonBytes(data);
  if (bytes > MAX_SIGNAL_DATA_BYTES) return fail(c, 413, `signal data is ${bytes} bytes; the limit is ${MAX_SIGNAL_DATA_BYTES} bytes`);

  const holder = await c.env.WAIT_SHARDS.getByName(signalShard(signal)).signalHolder(signal, Date.now());
  // A holder whose step no longer waits (timed out, its run ended) is about to be released: the
  // run's resume refuses it, so no run takes the signal. Two signals racing for one wait: one wins.
  const resumed = holder && (await c.env.RUNS.getByName(holder.run_id).resume(holder.step_id, { signal, data })).resumed;
  if (!holder || !resumed) return fail(c, 404, `no run is waiting for signal "${signal}"`);
  return ok(c, { run_id: holder.run_id });
});
