import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sendEvents, sendUntilEnded, syncApp, waitForEndedRuns } from "./harness/server-api";
import { waitFor } from "./harness/wait";
import { startWorkerPair, type WorkerPair } from "./harness/worker-pair";

// Production mode, as deployed: the app verifies stepflare's signatures and stepflare checks the
// app's signing key and event key, all carried over Service Bindings.
const SIGNING_KEY = "signkey-test-4d1c7e0b9a8f6e5d4c3b2a1908f7e6d5c4b3a29180f7e6d5c4b3a2918f7e6d5c";
const EVENT_KEY = "test-key";
/**
 * The app's URL as stepflare knows it. Nothing resolves it, so only the EXAMPLE_APP binding can
 * deliver requests to it, just as on Cloudflare only a binding can reach a Worker of the account.
 */
const APP_ORIGIN = "https://worker-app.example";
const APP_URL = `${APP_ORIGIN}/api/inngest`;
const ROOT = resolve(import.meta.dirname, "../..");

let pair: WorkerPair;

/** GET on stepflare's API with the signing key as bearer. */
async function apiGet<T>(path: string): Promise<T> {
  const res = await fetch(`${pair.serverUrl}${path}`, { headers: { Authorization: `Bearer ${SIGNING_KEY}` } });
  if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

interface AppsAnswer {
  apps: { id: string; url: string; functions: { id: string }[] }[];
}

beforeAll(async () => {
  pair = await startWorkerPair({
    appConfig: "examples/worker-app/wrangler.toml",
    appBinding: { binding: "EXAMPLE_APP", service: "stepflare-example-app" },
    serverVars: { INNGEST_SIGNING_KEY: SIGNING_KEY, INNGEST_EVENT_KEY: EVENT_KEY, STEPFLARE_APP_BINDINGS: `${APP_ORIGIN}=EXAMPLE_APP` },
    // The app's SDK reports APP_ORIGIN as its origin whoever calls it, as `INNGEST_SERVE_ORIGIN` does.
    appVars: { INNGEST_SIGNING_KEY: SIGNING_KEY, INNGEST_EVENT_KEY: EVENT_KEY, INNGEST_SERVE_ORIGIN: APP_ORIGIN },
  });
}, 180_000);

afterAll(async () => {
  await pair?.dispose();
});

describe("an app that is a Worker, bound to stepflare both ways", () => {
  it("syncs in-band through stepflare's binding to the app", async () => {
    // The two dev processes find each other through their registry a moment after both are up.
    await waitFor(() => syncApp(pair.serverUrl, APP_URL).then(() => true), 60_000, `an in-band sync of ${APP_URL}`);
    const { apps } = await apiGet<AppsAnswer>("/v0/apps");
    const app = apps.find((a) => a.id === "worker-app");
    expect(app?.url).toBe(APP_URL);
    expect(app?.functions.map((f) => f.id).sort()).toEqual(["worker-app-on-completed", "worker-app-order-flow", "worker-app-receipt"]);
  });

  it("registers out-of-band through the app's binding to stepflare when the app is PUT directly", async () => {
    // As a deploy script does after `wrangler deploy`; the SDK then POSTs /fn/register to its
    // baseUrl, an unresolvable host, which only the STEPFLARE binding can deliver.
    const res = await fetch(`${pair.appUrl}/api/inngest`, { method: "PUT" });
    expect(await res.json()).toMatchObject({ message: "Successfully registered" });
    expect(res.status).toBe(200);
    const { apps } = await apiGet<AppsAnswer>("/v0/apps");
    expect(apps.filter((a) => a.id === "worker-app").map((a) => a.url)).toEqual([APP_URL]);
  });

  it("runs steps, a sleep, a waitForEvent, an invoke and a client send, all over the bindings", async () => {
    const [id] = await sendEvents(pair.serverUrl, { name: "order/placed", data: { orderId: "o-1", items: 3 } });
    const run = await sendUntilEnded(pair.serverUrl, id!, { name: "order/shipped", data: { orderId: "o-1", carrier: "ups" } }, 90_000);
    expect(run.error).toBeNull();
    expect(run.status).toBe("Completed");
    const output = run.output as { total: number; carrier: string; receipt: string; completedEventId: string };
    expect(output).toMatchObject({ total: 21, carrier: "ups", receipt: "receipt for order o-1: 21" });

    const timeline = await apiGet<{ data: { steps: { name: string; op: string; status: string }[] } }>(`/v0/runs/${run.run_id}`);
    expect(timeline.data.steps.map((s) => [s.name, s.op, s.status])).toEqual([
      ["reserve", "StepRun", "completed"],
      ["price", "StepRun", "completed"],
      ["cool-off", "Sleep", "completed"],
      ["wait-shipped", "WaitForEvent", "completed"],
      ["receipt", "InvokeFunction", "completed"],
      ["announce", "StepRun", "completed"],
    ]);

    // The event the app sent with `inngest.send` reached stepflare and started its function.
    const [child] = await waitForEndedRuns(pair.serverUrl, output.completedEventId, 1, 60_000);
    expect(child).toMatchObject({ function_id: "worker-app-on-completed", status: "Completed", output: { orderId: "o-1" } });
  });
});

describe("the example app Worker", () => {
  const outdir = mkdtempSync(join(tmpdir(), "stepflare-example-deploy-"));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it("bundles for a deploy with its binding to stepflare", async () => {
    const wrangler = join(ROOT, "node_modules/wrangler/bin/wrangler.js");
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [wrangler, "deploy", "--dry-run", "--config", "examples/worker-app/wrangler.toml", "--outdir", outdir],
      { cwd: ROOT, env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" } },
    );
    expect(stdout).toContain("env.STEPFLARE (stepflare)");
  });
});
