/**
 * The `local` section: stepflare's Worker with the bench's SDK app inside it (bench/local,
 * the in-process transport), served by `scripts/dev.mjs` with `main` pointed at that entry on a
 * copy of wrangler.toml. Times the same 10-step function as the `steps` section, one run at a
 * time, from the timestamps the run's output carries.
 * @module
 */
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { POLL_INTERVAL_MS, RUN_TIMEOUT_MS, STARTUP_TIMEOUT_MS, STEP_COUNT } from "./config.mjs";
import { sendEvent } from "./events.mjs";
import { createClient } from "./http.mjs";
import { freePort, offlineEnv, startNode, stop, waitForHealthy } from "./processes.mjs";
import { msPerStep, summarize } from "./stats.mjs";

/** The in-process app's URL: `local://<name given to stepflare({ apps })>/...`. */
const APP_URL = "local://bench-local/api/inngest";
const EVENT = "bench/ten-steps";

/**
 * Serve `sourceDir` (a snapshot of the server's sources, bench/local added) with the bench's
 * entry module, sync the in-process app, and time `work.tenStepRuns` 10-step runs after
 * `work.warmupRuns` untimed ones; resolves to `{ per_step_ms, run_total_ms }`.
 */
export async function benchLocal({ work, repo, sourceDir, persistDir, logPath }) {
  cpSync(path.join(repo, "bench/local"), path.join(sourceDir, "bench/local"), { recursive: true });
  const config = path.join(sourceDir, "wrangler.local-bench.toml");
  const toml = readFileSync(path.join(sourceDir, "wrangler.toml"), "utf8");
  writeFileSync(config, toml.replace(/^main = .*$/m, 'main = "bench/local/index.ts"'));
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const server = startNode(
    "stepflare dev server (local transport)",
    path.join(sourceDir, "scripts/dev.mjs"),
    ["--port", String(port), "--persist-to", persistDir, "--config", config],
    { cwd: sourceDir, env: offlineEnv(), logPath },
  );
  const client = createClient(origin, 4);
  try {
    await waitForHealthy(server, `${origin}/health`, STARTUP_TIMEOUT_MS);
    const synced = await client.post("/v0/apps/sync", { url: APP_URL });
    if (synced.status !== 200) throw new Error(`sync of ${APP_URL}: ${synced.status} ${synced.text}`);
    return await timeRuns(client, work);
  } finally {
    client.close();
    await stop(server);
  }
}

/**
 * `work.tenStepRuns` runs of the synced `ten-steps` function, one at a time, after
 * `work.warmupRuns` untimed ones; resolves to `{ per_step_ms, run_total_ms }`. The function
 * returns its steps' start times and when it returned.
 */
export async function timeRuns(client, work) {
  for (let i = 0; i < work.warmupRuns; i++) await runOnce(client);
  const perStep = [];
  const totals = [];
  for (let i = 0; i < work.tenStepRuns; i++) {
    const { startedAt, totalMs } = await runOnce(client);
    perStep.push(msPerStep(startedAt));
    totals.push(totalMs);
  }
  return { per_step_ms: summarize(perStep), run_total_ms: summarize(totals) };
}

/** One run, polled until Completed; its steps' start times and send → function returned. */
async function runOnce(client) {
  const sentAt = Date.now();
  const eventId = await sendEvent(client, EVENT, { steps: STEP_COUNT });
  while (Date.now() - sentAt < RUN_TIMEOUT_MS) {
    await sleep(POLL_INTERVAL_MS);
    const run = (await client.get(`/v1/events/${eventId}/runs`)).json?.data?.[0];
    if (run?.status === "Failed" || run?.status === "Cancelled") throw new Error(`run for event ${eventId} ended ${run.status}: ${JSON.stringify(run.error)}`);
    if (run?.status === "Completed") return { startedAt: run.output.startedAt, totalMs: run.output.finishedAt - sentAt };
  }
  throw new Error(`run for event ${eventId} did not finish within ${RUN_TIMEOUT_MS} ms`);
}
