/**
 * Retention on the real dev server with a short STEPFLARE_RETENTION: a finished run, its steps
 * and its event are readable through the REST API, then gone once the heartbeat passes the
 * retention, and the API answers 404 for them instead of failing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { devClient, serveApp, type TestApp } from "./harness/app";
import { startDevServer, type DevServer } from "./harness/dev-server";
import { eventStatus, runsOf, sendEvents, syncApp, waitForEndedRuns } from "./harness/server-api";
import { waitFor } from "./harness/wait";

let server: DevServer;
let app: TestApp;

beforeAll(async () => {
  server = await startDevServer({ STEPFLARE_RETENTION: "3s" });
  const inngest = devClient("e2e-retention", server.url);
  const brief = inngest.createFunction({ id: "brief", triggers: { event: "test/brief" } }, async ({ step }) => {
    const a = await step.run("a", () => 1);
    return a + 1;
  });
  app = await serveApp(inngest, [brief]);
  await syncApp(server.url, app.url);
});

afterAll(async () => {
  await app?.close();
  await server?.dispose();
});

describe("STEPFLARE_RETENTION", () => {
  it("deletes a finished run, its steps and its event once they are older than the retention", async () => {
    const [id] = await sendEvents(server.url, { name: "test/brief" });
    const [run] = await waitForEndedRuns(server.url, id!);
    expect(run).toMatchObject({ status: "Completed", output: 2 });
    const timeline = await fetch(`${server.url}/v0/runs/${run!.run_id}`);
    expect(timeline.status).toBe(200);
    expect(((await timeline.json()) as { data: { steps: { name: string }[] } }).data.steps.map((s) => s.name)).toEqual(["a"]);

    // The heartbeat runs every 30 s; the first one past 3 s deletes them.
    await waitFor(async () => ((await eventStatus(server.url, id!)) === undefined ? true : undefined), 100_000, "the event to be deleted");
    await waitFor(async () => ((await runsOf(server.url, id!)).length === 0 ? true : undefined), 30_000, "the run to be deleted");
    expect((await fetch(`${server.url}/v1/runs/${run!.run_id}`)).status).toBe(404);
    expect((await fetch(`${server.url}/v0/runs/${run!.run_id}`)).status).toBe(404);
    expect((await fetch(`${server.url}/v1/runs/${run!.run_id}`, { method: "DELETE" })).status).toBe(404);
  }, 180_000);
});
