/**
 * `npm run dev` itself: the Miniflare path (the default) and the `wrangler dev` path (--wrangler)
 * on one state directory, and the flags each path accepts. The Cron Trigger timer is checked in
 * cron.test.ts, which waits for a minute boundary anyway.
 */
import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { devClient, serveApp, type TestApp } from "./harness/app";
import { startDevServer, type DevServer } from "./harness/dev-server";
import { runsOf, sendEvents, syncApp, waitForEndedRuns } from "./harness/server-api";
import { waitFor } from "./harness/wait";

const ROOT = resolve(import.meta.dirname, "../..");
let server: DevServer;
let app: TestApp;

beforeAll(async () => {
  server = await startDevServer();
  const inngest = devClient("e2e-dev-server", server.url);
  const twoSteps = inngest.createFunction({ id: "two-steps", triggers: { event: "test/two-steps" } }, async ({ event, step }) => {
    const one = await step.run("one", () => (event.data as { n: number }).n + 1);
    return step.run("two", () => one * 2);
  });
  app = await serveApp(inngest, [twoSteps]);
  await syncApp(server.url, app.url);
});

afterAll(async () => {
  await app?.close();
  await server?.dispose();
});

describe("npm run dev", () => {
  it("serves the same state on the Miniflare path and on the wrangler dev path (--wrangler)", async () => {
    const [onMiniflare] = await sendEvents(server.url, { name: "test/two-steps", data: { n: 1 } });
    const [first] = await waitForEndedRuns(server.url, onMiniflare!, 1, 60_000);
    expect(first).toMatchObject({ status: "Completed", output: 4 });

    // The app was synced on the Miniflare path only: a run here reads the same D1 and objects.
    await server.stop();
    await server.start("wrangler");
    expect(await runsOf(server.url, onMiniflare!)).toEqual([first]);
    const [onWrangler] = await sendEvents(server.url, { name: "test/two-steps", data: { n: 2 } });
    const [second] = await waitForEndedRuns(server.url, onWrangler!, 1, 60_000);
    expect(second).toMatchObject({ status: "Completed", output: 6 });

    // wrangler dev's lines that do not apply stay out: a dashboard's polling request is not
    // logged (a page request after it is), nor the offline Request.cf and scheduled-workers warnings.
    await fetch(`${server.url}/v0/runs`);
    await fetch(`${server.url}/runs`);
    await waitFor(() => (server.output().includes("GET /runs 200") ? true : undefined), 10_000, `the page request line in\n${server.output()}`);
    expect(server.output()).not.toContain("GET /v0/runs");
    expect(server.output()).not.toContain("Request.cf");
    expect(server.output()).not.toContain("Scheduled Workers are not automatically triggered");
    // Nor, on either path, a line for each batch of stepflare's own queues (events, history):
    // both runs above went through them.
    expect(server.output()).not.toMatch(/QUEUE stepflare-/);

    await server.stop();
    await server.start("miniflare");
    expect(await runsOf(server.url, onWrangler!)).toEqual([second]);
  });

  it("refuses a flag only wrangler dev knows unless --wrangler is given", async () => {
    const child = spawn(process.execPath, ["scripts/dev.mjs", "--port", "0", "--inspector-port", "9229"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += String(d)));
    const code = await new Promise((r) => child.once("exit", r));
    expect(code).toBe(2);
    expect(stderr).toContain("--inspector-port 9229");
    expect(stderr).toContain("--wrangler");
  });
});
