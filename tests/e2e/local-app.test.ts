import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevServer, type DevServer } from "./harness/dev-server";
import { sendEvents, sendUntilEnded, syncApp, waitForEndedRuns } from "./harness/server-api";

// Production mode: the in-process SDK verifies stepflare's signature on every call and stepflare
// checks the SDK's signing key and event key, as over HTTP.
const SIGNING_KEY = "signkey-test-9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d";
const EVENT_KEY = "test-key";
/** The app's URL: the `local:` scheme names a handler registered in the Worker, nothing on a network. */
const APP_URL = "local://local-app/api/inngest";
const ROOT = resolve(import.meta.dirname, "../..");
/**
 * stepflare's wrangler.toml with `main` at the example's entry, which adds the app to the Worker,
 * wrapped in a fixture that counts the Worker's outbound fetches.
 */
const CONFIG = join(ROOT, `.e2e-wrangler-local-${process.pid}.toml`);

let server: DevServer;

/** GET on stepflare's API with the signing key as bearer. */
async function apiGet<T>(path: string): Promise<T> {
  const res = await fetch(`${server.url}${path}`, { headers: { Authorization: `Bearer ${SIGNING_KEY}` } });
  if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

interface AppsAnswer {
  apps: { id: string; url: string; functions: { id: string; config: { steps: Record<string, { runtime: { url: string } }> } }[] }[];
}

beforeAll(async () => {
  const config = readFileSync(join(ROOT, "wrangler.toml"), "utf8");
  const entry = 'main = "tests/fixtures/local-app-entry.ts"';
  if (!/^main = .*$/m.test(config)) throw new Error("wrangler.toml has no main line to point at the example");
  writeFileSync(CONFIG, config.replace(/^main = .*$/m, entry));
  server = await startDevServer({ INNGEST_SIGNING_KEY: SIGNING_KEY, INNGEST_EVENT_KEY: EVENT_KEY }, { config: CONFIG });
}, 180_000);

afterAll(async () => {
  await server?.dispose();
  rmSync(CONFIG, { force: true });
});

describe("an app served inside stepflare's Worker (local transport)", () => {
  it("syncs at its local:// URL, through a call on its handler", async () => {
    await syncApp(server.url, APP_URL);
    const { apps } = await apiGet<AppsAnswer>("/v0/apps");
    const app = apps.find((a) => a.id === "local-app");
    expect(app?.url).toBe(APP_URL);
    expect(app?.functions.map((f) => f.id).sort()).toEqual(["local-app-on-completed", "local-app-order-flow", "local-app-receipt"]);
    // Every call goes to a local:// step URL: there is no HTTP address to reach the app at.
    const stepUrls = app!.functions.flatMap((f) => Object.values(f.config.steps).map((s) => s.runtime.url));
    expect(stepUrls.length).toBe(3);
    for (const url of stepUrls) expect(url.startsWith(`${APP_URL}?`)).toBe(true);
  });

  it("refuses to sync a local:// app this Worker does not register, saying how to register it", async () => {
    const res = await fetch(`${server.url}/v0/apps/sync`, {
      method: "POST",
      headers: { Authorization: `Bearer ${SIGNING_KEY}`, "Content-Type": "application/json" },
      body: JSON.stringify({ url: "local://no-such-app/api/inngest" }),
    });
    expect(res.status).toBe(500);
    expect(((await res.json()) as { error: string }).error).toContain('stepflare({ apps: { "no-such-app"');
  });

  it("runs steps, a sleep, a waitForEvent, an invoke and a client send, all in-process", async () => {
    const [id] = await sendEvents(server.url, { name: "order/placed", data: { orderId: "o-1", items: 3 } });
    const run = await sendUntilEnded(server.url, id!, { name: "order/shipped", data: { orderId: "o-1", carrier: "ups" } }, 90_000);
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

    // The app's client sends to http://stepflare.invalid, a name that never resolves: the event
    // reached stepflare, and started its function, only through the in-process fetch.
    const [child] = await waitForEndedRuns(server.url, output.completedEventId, 1, 60_000);
    expect(child).toMatchObject({ function_id: "local-app-on-completed", status: "Completed", output: { orderId: "o-1" } });

    // Neither the calls, nor the SDK's checkpoints, event sends and syncs used the network.
    const res = await fetch(`${server.url}/__test/outbound`);
    expect(await res.json()).toEqual({ outbound: [] });
  });
});
