/**
 * The `service` transport beside `local`: stepflare (`scripts/dev.mjs`, with a Service Binding
 * to the app added to a copy of wrangler.toml and `STEPFLARE_APP_BINDINGS` mapping the app's URL
 * to it) and the app Worker of bench/service-app (`wrangler dev`, bound back to stepflare), joined
 * through a dev registry of their own. Locally a binding between two processes is carried over
 * loopback by the dev registry; on Cloudflare it is not, so this is the local figure only.
 * @module
 */
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { STARTUP_TIMEOUT_MS } from "./config.mjs";
import { createClient } from "./http.mjs";
import { timeRuns } from "./local.mjs";
import { freePort, offlineEnv, startNode, stop, waitForHealthy } from "./processes.mjs";

const APP_ORIGIN = "https://bench-service-app.example";
const APP_URL = `${APP_ORIGIN}/api/inngest`;
/** The app Worker starts and the two processes find each other through the registry within this. */
const SYNC_TIMEOUT_MS = STARTUP_TIMEOUT_MS;

/** Time the 10-step function over the `service` transport; resolves to `{ per_step_ms, run_total_ms }`. */
export async function benchService({ work, repo, sourceDir, persistDir, logDir }) {
  cpSync(path.join(repo, "bench/service-app"), path.join(sourceDir, "bench/service-app"), { recursive: true });
  const config = path.join(sourceDir, "wrangler.service-bench.toml");
  const toml = readFileSync(path.join(sourceDir, "wrangler.toml"), "utf8");
  writeFileSync(config, `${toml}\n[[services]]\nbinding = "BENCH_APP"\nservice = "stepflare-bench-service-app"\n`);
  const registry = path.join(persistDir, "registry");
  const env = offlineEnv({ WRANGLER_REGISTRY_PATH: registry, CLOUDFLARE_DEV_REGISTRY_PATH: registry });
  const [port, appPort] = [await freePort(), await freePort()];
  const origin = `http://127.0.0.1:${port}`;
  const server = startNode(
    "stepflare dev server (service transport)",
    path.join(sourceDir, "scripts/dev.mjs"),
    ["--port", String(port), "--persist-to", path.join(persistDir, "server"), "--config", config, "--var", `STEPFLARE_APP_BINDINGS:${APP_ORIGIN}=BENCH_APP`],
    { cwd: sourceDir, env, logPath: path.join(logDir, "service-server.log") },
  );
  const app = startNode(
    "service app Worker",
    path.join(repo, "node_modules/wrangler/bin/wrangler.js"),
    [
      "dev",
      "--config",
      "bench/service-app/wrangler.toml",
      "--ip",
      "127.0.0.1",
      "--port",
      String(appPort),
      "--persist-to",
      path.join(persistDir, "app"),
      "--show-interactive-dev-session=false",
    ],
    { cwd: sourceDir, env, logPath: path.join(logDir, "service-app.log") },
  );
  const client = createClient(origin, 4);
  try {
    await waitForHealthy(server, `${origin}/health`, STARTUP_TIMEOUT_MS);
    await syncThroughRegistry(client, app);
    return await timeRuns(client, work);
  } finally {
    client.close();
    await Promise.all([stop(app), stop(server)]);
  }
}

/** Sync the app through stepflare's binding, retrying until the app is up and the registry has joined the two. */
async function syncThroughRegistry(client, app) {
  const started = Date.now();
  let exited = null;
  app.exited.then((outcome) => (exited = outcome));
  for (;;) {
    if (exited) throw new Error(`${app.name} exited (code ${exited.code}); see ${app.logPath}`);
    const synced = await client.post("/v0/apps/sync", { url: APP_URL });
    if (synced.status === 200) return;
    if (Date.now() - started > SYNC_TIMEOUT_MS) throw new Error(`sync of ${APP_URL}: ${synced.status} ${synced.text}`);
    await sleep(1_000);
  }
}
