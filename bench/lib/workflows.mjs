/**
 * The Cloudflare Workflows half of the bench: runs bench/workflow under `wrangler dev` on the
 * same local workerd as stepflare and times its ten-step Workflow the same way.
 * @module
 */
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { FIRST_POLL_DELAY_MS, POLL_INTERVAL_MS, RUN_TIMEOUT_MS, STARTUP_TIMEOUT_MS } from "./config.mjs";
import { createClient } from "./http.mjs";
import { freePort, offlineEnv, startNode, stop, waitForHealthy } from "./processes.mjs";
import { msPerStep, summarize } from "./stats.mjs";

const WRANGLER = fileURLToPath(new URL("../../node_modules/wrangler/bin/wrangler.js", import.meta.url));
const CONFIG = fileURLToPath(new URL("../workflow/wrangler.toml", import.meta.url));
const TERMINAL = new Set(["complete", "errored", "terminated"]);

/**
 * Time `instances` Workflow runs one after another (after `warmup` untimed ones), resolving to
 * `{ per_step_ms, run_total_ms }` summaries.
 */
export async function benchWorkflows({ instances, warmup, persistDir, logPath }) {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const server = startNode(
    "workflows dev server",
    WRANGLER,
    ["dev", "--config", CONFIG, "--ip", "127.0.0.1", "--port", String(port), "--persist-to", persistDir, "--show-interactive-dev-session=false"],
    { env: offlineEnv(), logPath },
  );
  const client = createClient(origin, 4);
  try {
    await waitForHealthy(server, `${origin}/health`, STARTUP_TIMEOUT_MS);
    for (let i = 0; i < warmup; i++) await runInstance(client);
    const perStep = [];
    const totals = [];
    for (let i = 0; i < instances; i++) {
      const { startedAt, totalMs } = await runInstance(client);
      perStep.push(msPerStep(startedAt));
      totals.push(totalMs);
    }
    return { per_step_ms: summarize(perStep), run_total_ms: summarize(totals) };
  } finally {
    client.close();
    await stop(server);
  }
}

/**
 * Create one instance and poll it to completion; resolves to its steps' start times and the
 * time from the create request to its code returning.
 */
async function runInstance(client) {
  const createdAt = Date.now();
  const created = await client.post("/instances", "{}");
  if (created.status !== 200) throw new Error(`creating a Workflow instance: ${created.status} ${created.text}`);
  const { id } = created.json;
  await sleep(FIRST_POLL_DELAY_MS);
  while (Date.now() - createdAt < RUN_TIMEOUT_MS) {
    const { json: status } = await client.get(`/instances/${id}`);
    if (TERMINAL.has(status?.status)) {
      if (status.status !== "complete") throw new Error(`Workflow instance ${id} ended ${status.status}: ${JSON.stringify(status.error)}`);
      const { startedAt, finishedAt } = status.output;
      return { startedAt, totalMs: finishedAt - createdAt };
    }
    await sleep(POLL_INTERVAL_MS);
  }
  throw new Error(`Workflow instance ${id} did not finish within ${RUN_TIMEOUT_MS} ms`);
}
