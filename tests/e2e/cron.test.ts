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
/** What the dev script prints for a Cron Trigger tick, which it does only for a tick that did not succeed. */
const CRON_LINE = /Cron Trigger "\* \* \* \* \*" at/;

let server: DevServer;
let app: TestApp;
/** The event each run of the cron function received, recorded once per run. */
const runs: { id: string; name: string; data: Record<string, unknown> }[] = [];

beforeAll(async () => {
  server = await startDevServer();
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

  it("prints no line for the Worker's Cron Trigger at a minute boundary, as it succeeded", async () => {
    // The tick above has passed a minute boundary, where the trigger fired too: a tick that
    // failed (a missing route, an exception in the handler) is printed, one that succeeded is
    // not, as stepflare's own heartbeat is no news to the user (tests/unit/dev-quiet-output.test.ts).
    expect(runs.length).toBeGreaterThan(0);
    expect(server.output()).not.toMatch(CRON_LINE);
  });
});
