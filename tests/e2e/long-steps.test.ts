import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CALL_LEASE_MS, CONCURRENCY_LEASE_MS } from "../../src/constants";
import { devClient, serveApp, type TestApp } from "./harness/app";
import { startDevServer, type DevServer } from "./harness/dev-server";
import { sendEvents, syncApp, waitForEndedRuns } from "./harness/server-api";

/** Longer than every lease a call holds, so a step only keeps its slot by renewing it. */
const LONG_STEP_MS = Math.max(CALL_LEASE_MS, CONCURRENCY_LEASE_MS) + 10_000;

describe("a step longer than every lease", () => {
  let server: DevServer;
  let app: TestApp;
  const spans: { n: number; start: number; end: number }[] = [];

  beforeAll(async () => {
    server = await startDevServer();
    const inngest = devClient("e2e-long-steps", server.url);
    const functions = [
      inngest.createFunction({ id: "long-limited", triggers: { event: "long/limited" }, concurrency: { limit: 1 }, retries: 0 }, async ({ event, step }) => {
        await step.run("long", async () => {
          const start = Date.now();
          await new Promise((r) => setTimeout(r, LONG_STEP_MS));
          spans.push({ n: event.data.n as number, start, end: Date.now() });
        });
      }),
    ];
    app = await serveApp(inngest, functions);
    await syncApp(server.url, app.url);
  });

  afterAll(async () => {
    await app?.close();
    await server?.dispose();
  });

  it("keeps its concurrency slot: two such steps under limit 1 never overlap", { timeout: 300_000 }, async () => {
    const ids = await sendEvents(
      server.url,
      [1, 2].map((n) => ({ name: "long/limited", data: { n } })),
    );
    const runs = (await Promise.all(ids.map((id) => waitForEndedRuns(server.url, id, 1, 280_000)))).flat();
    expect(runs.map((r) => r.status)).toEqual(["Completed", "Completed"]);
    // Each step ran once (no second attempt beside the first), and the second began after the first ended.
    expect(spans).toHaveLength(2);
    const [first, second] = [...spans].sort((a, b) => a.start - b.start) as [(typeof spans)[0], (typeof spans)[0]];
    expect(second.start).toBeGreaterThanOrEqual(first.end);
  });
});

describe("a step longer than the longest call", () => {
  let server: DevServer;
  let app: TestApp;
  let attempts = 0;

  beforeAll(async () => {
    // The 12-minute default, lowered through its documented variable so the test takes seconds.
    server = await startDevServer({ STEPFLARE_MAX_STEP_DURATION: "3s" });
    const inngest = devClient("e2e-too-long", server.url);
    const functions = [
      inngest.createFunction({ id: "too-long", triggers: { event: "long/too-long" }, retries: 0 }, async ({ step }) => {
        await step.run("endless", async () => {
          attempts++;
          await new Promise((r) => setTimeout(r, 8_000));
          return "finished late";
        });
      }),
    ];
    app = await serveApp(inngest, functions);
    await syncApp(server.url, app.url);
  });

  afterAll(async () => {
    await app?.close();
    await server?.dispose();
  });

  it("is stopped and fails the attempt with StepDurationExceeded, without running again", { timeout: 120_000 }, async () => {
    const [id] = await sendEvents(server.url, [{ name: "long/too-long" }]);
    const [run] = await waitForEndedRuns(server.url, id!, 1, 90_000);
    expect(run!.status).toBe("Failed");
    expect(run!.error?.name).toBe("StepDurationExceeded");
    // Give a silent re-run time to show itself: the app's step would start a second time.
    await new Promise((r) => setTimeout(r, 8_000));
    expect(attempts).toBe(1);
  });
});
