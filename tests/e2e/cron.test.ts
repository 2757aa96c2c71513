/**
 * Cron triggers under the dev server, with no manual step (no curl of the scheduled handler):
 * `{ cron }` functions, and the Worker's own Cron Trigger that `npm run dev` fires each minute.
 *
 * THE SLOW ONE: it waits for a real once-a-minute tick, so it takes up to about 70 s. The bound
 * is the next minute boundary after the sync (≤ 60 s, as the sync refreshes the schedules) plus
 * the time to route the tick and call the app.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { devClient, serveApp, type TestApp } from "./harness/app";
import { startDevServer, type DevServer } from "./harness/dev-server";
import { syncApp } from "./harness/server-api";
import { waitFor } from "./harness/wait";

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
/** What the dev script prints, with --verbose, when the Cron Trigger ran the Worker's scheduled handler without error. */
const CRON_OK = /Cron Trigger "\* \* \* \* \*" at \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00\.000Z: ok/;

let server: DevServer;
let app: TestApp;
/** The event each run of the cron function received, recorded once per run. */
const runs: { id: string; name: string; data: Record<string, unknown> }[] = [];

beforeAll(async () => {
  // --verbose prints each Cron Trigger tick, so the test sees the trigger fire (without it only a failing tick is printed).
  server = await startDevServer({}, { flags: ["--no-discovery", "--no-poll", "--verbose"] });
  const inngest = devClient("e2e-cron", server.url);
  const everyMinute = inngest.createFunction({ id: "every-minute", triggers: { cron: "* * * * *" } }, async ({ event, step }) => {
    await step.run("record", () => {
      runs.push({ id: event.id ?? "", name: event.name, data: event.data as Record<string, unknown> });
    });
    return event.data;
  });
  app = await serveApp(inngest, [everyMinute]);
});

afterAll(async () => {
  await app?.close();
  await server?.dispose();
});

describe("cron (slow: waits for a real minute tick)", () => {
  it("runs a { cron } function on its next tick, within 70 s of the sync", async () => {
    const syncedAt = Date.now();
    await syncApp(server.url, app.url);
    const run = await waitFor(() => runs[0], 70_000, `a run of the cron function\n${server.output()}`);

    expect(run.name).toBe("inngest/scheduled.timer");
    expect(run.data).toEqual({ cron: "* * * * *", scheduledAt: expect.stringMatching(RFC3339), fireAt: expect.stringMatching(RFC3339) });
    // The id is the scheduled time, as Inngest sets it; the tick is the first minute after the sync.
    expect(run.id).toBe(run.data.scheduledAt);
    const scheduledAt = Date.parse(run.data.scheduledAt as string);
    expect(scheduledAt % 60_000).toBe(0);
    expect(scheduledAt).toBeGreaterThan(syncedAt - 60_000);
    expect(Date.parse(run.data.fireAt as string)).toBe(scheduledAt);
  });

  it("runs the Worker's scheduled handler at a minute boundary (the Cron Trigger), as on Cloudflare", async () => {
    // The tick above has passed a minute boundary, so the trigger has fired or is about to.
    const line = await waitFor(() => server.output().match(CRON_OK)?.[0], 75_000, `the Cron Trigger\n${server.output()}`);
    expect(line).toMatch(CRON_OK);
  });
});
