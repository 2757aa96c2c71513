/**
 * The floors under a step's checkpoint (issue 10), measured beside the SDK's own checkpoints
 * with the same client it uses (Node's `fetch`), one request at a time, alternating:
 *
 * - `GET /health`: loopback HTTP, workerd taking the request and answering, the Worker's entry,
 *   routing and middleware;
 * - `POST /v1/checkpoint/:runId/async` for a run that does not exist, with a body like the SDK's
 *   (one `StepRun`): the above plus the body, its validation and the RPC to the run's object,
 *   which answers 409 without writing anything.
 *
 * The SDK's checkpoint less the second is the step's durable write: the SQLite transaction and
 * the commit the platform holds the answer for. In-Worker phase timing cannot show these
 * splits: workerd's clock only moves on I/O, so CPU spent inside a request does not appear in it.
 * @module
 */
import { performance } from "node:perf_hooks";
import { round } from "./stats.mjs";

/** A run id no run has: its object holds nothing, so the checkpoint is refused after the RPC. */
const NO_RUN = "01BENCHFL00RPR0BE000000000";

/** A body shaped like the SDK's async checkpoint of one step (inngest/api/api.js). */
function checkpointBody(i) {
  const now = Date.now();
  const id = `floor-${String(i).padStart(8, "0")}`;
  const step = { id, op: "StepRun", name: id, displayName: id, data: now, timing: { startedAt: now, endedAt: now }, userland: { id } };
  return JSON.stringify({ run_id: NO_RUN, fn_id: "f", qi_id: "q", request_id: "r", generation_id: 0, request_started_at: now, steps: [step], ts: now });
}

async function timed(url, init, status) {
  const started = performance.now();
  const response = await fetch(url, init);
  await response.arrayBuffer();
  const ms = performance.now() - started;
  if (response.status !== status) throw new Error(`${init?.method ?? "GET"} ${url}: ${response.status}, expected ${status}`);
  return ms;
}

const mean = (values) => round(values.reduce((sum, v) => sum + v, 0) / values.length);

/**
 * `{ health_ms, no_write_checkpoint_ms }` (means over `count` of each, after a few untimed to
 * open the connection), against the server at `origin`.
 */
export async function checkpointFloors(origin, count) {
  const health = [];
  const noWrite = [];
  const warmUp = 5;
  for (let i = 0; i < count + warmUp; i++) {
    const h = await timed(`${origin}/health`, undefined, 200);
    const body = checkpointBody(i);
    const init = { method: "POST", headers: { "content-type": "application/json" }, body };
    const c = await timed(`${origin}/v1/checkpoint/${NO_RUN}/async`, init, 409);
    if (i < warmUp) continue;
    health.push(h);
    noWrite.push(c);
  }
  return { n: count, health_ms: mean(health), no_write_checkpoint_ms: mean(noWrite) };
}
