import { createServer, type Server } from "node:http";
import { Inngest } from "inngest";
import { serve } from "inngest/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevServer, type DevServer } from "./harness/dev-server";
import { freePort } from "./harness/ports";
import { runsOf, waitForEndedRuns } from "./harness/server-api";

const SIGNING_KEY = "signkey-test-8ee2262a15e8d3c42d6a840db7af3de6d1c5e4a9a4a7f8d5b1c9e0d2f3a4b5c6";
const EVENT_KEY = "prod-event-key";
let server: DevServer;
let appServer: Server;
let appUrl: string;
let inngest: Inngest;

beforeAll(async () => {
  // The app listens on loopback, which production mode only calls when the setting allows it.
  server = await startDevServer({
    INNGEST_SIGNING_KEY: SIGNING_KEY,
    INNGEST_EVENT_KEY: `other-key,${EVENT_KEY}`,
    STEPFLARE_ALLOW_PRIVATE_URLS: "true",
  });
  // Cloud mode: the SDK verifies every request's signature and refuses unsigned calls.
  inngest = new Inngest({ id: "e2e-prod", isDev: false, signingKey: SIGNING_KEY, eventKey: EVENT_KEY, baseUrl: server.url });
  const fn = inngest.createFunction({ id: "signed", triggers: { event: "prod/go" } }, async ({ event, step }) => {
    const doubled = await step.run("double", () => (event.data.n as number) * 2);
    return { doubled };
  });
  const port = await freePort();
  appServer = createServer(serve({ client: inngest, functions: [fn], streaming: true }));
  await new Promise<void>((r) => appServer.listen(port, "127.0.0.1", r));
  appUrl = `http://127.0.0.1:${port}/api/inngest`;
});

afterAll(async () => {
  await new Promise((r) => appServer?.close(r));
  await server?.dispose();
});

describe("production mode (signing key set)", () => {
  it("rejects an unknown event key", async () => {
    const res = await fetch(`${server.url}/e/not-a-key`, { method: "POST", body: JSON.stringify({ name: "prod/go" }) });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ ids: [], status: 401 });
  });

  it("rejects /fn/register without the SDK's bearer token", async () => {
    const res = await fetch(`${server.url}/fn/register`, {
      method: "POST",
      headers: { Authorization: "Bearer undefined", "Content-Type": "application/json" },
      body: JSON.stringify({ url: appUrl, appName: "intruder", functions: [] }),
    });
    expect(res.status).toBe(401);
  });

  it("syncs a cloud-mode app and runs it with signed, streamed calls", async () => {
    // An out-of-band sync: the SDK registers itself with its hashed signing key as bearer token.
    const put = await fetch(appUrl, { method: "PUT" });
    expect(put.status).toBe(200);

    const { ids } = await inngest.send({ name: "prod/go", data: { n: 21 } });
    const [run] = await waitForEndedRuns(server.url, ids[0]!);
    expect(run!.status).toBe("Completed");
    expect(run!.output).toEqual({ doubled: 42 });
    expect(await runsOf(server.url, ids[0]!)).toHaveLength(1);
  });
});
