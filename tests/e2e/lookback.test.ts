import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { devClient, serveApp, type TestApp } from "./harness/app";
import { startDevServer, type DevServer } from "./harness/dev-server";
import { sendEvents, syncApp, waitForEndedRuns } from "./harness/server-api";

let server: DevServer;
let app: TestApp;

beforeAll(async () => {
  server = await startDevServer({ STEPFLARE_WAIT_LOOKBACK: "30s" });
  const inngest = devClient("e2e-lookback", server.url);
  const fn = inngest.createFunction({ id: "early-bird", triggers: { event: "lb/start" } }, async ({ step }) => {
    await step.run("slow-start", () => new Promise((r) => setTimeout(r, 300)));
    const ready = await step.waitForEvent("ready", { event: "lb/ready", match: "data.jobId", timeout: "10s" });
    return ready ? ready.data.note : "missed";
  });
  app = await serveApp(inngest, [fn]);
  await syncApp(server.url, app.url);
});

afterAll(async () => {
  await app?.close();
  await server?.dispose();
});

describe("waitForEvent lookback (STEPFLARE_WAIT_LOOKBACK)", () => {
  it("is satisfied by a matching event sent before the wait registered", async () => {
    // The trigger and the awaited event go together: the wait registers only after the first step.
    const [, startId] = await sendEvents(server.url, [
      { name: "lb/ready", data: { jobId: "other", note: "not this one" } },
      { name: "lb/start", data: { jobId: "j1" } },
      { name: "lb/ready", data: { jobId: "j1", note: "early" } },
    ]);
    const [run] = await waitForEndedRuns(server.url, startId!);
    expect(run!.output).toBe("early");
  });
});
