/**
 * The dashboard in a real browser (Debian's Chromium through playwright-core) against the real
 * dev server and an app built with the official SDK: sync an app from the Apps page, send an
 * event from the header, follow its run to the waterfall, and cancel a sleeping run; read each
 * failed attempt's error, follow an invoke to its child run and back, and read the metrics.
 */
import type { Page } from "playwright-core";
import { RetryAfterError } from "inngest";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { devClient, serveApp, type TestApp } from "../e2e/harness/app";
import { startDevServer, type DevServer } from "../e2e/harness/dev-server";
import { sendEvents } from "../e2e/harness/server-api";
import { launchBrowser, screenshot, type TestBrowser } from "./harness/browser";

const APP_ID = "ui-app";
/** How long the page may take to show something that polling brings in. */
const SEEN_MS = 20_000;

let server: DevServer;
let app: TestApp;
let browser: TestBrowser;
let page: Page;
/** Script errors in the page; any is a failure. */
const pageErrors: Error[] = [];

beforeAll(async () => {
  [server, browser] = await Promise.all([startDevServer(), launchBrowser()]);
  page = browser.page;
  const inngest = devClient(APP_ID, server.url);
  const child = inngest.createFunction({ id: "child", triggers: { event: "ui/child" } }, async ({ event, step }) => {
    return step.run("double", () => (event.data.n as number) * 2);
  });
  app = await serveApp(inngest, [
    inngest.createFunction({ id: "greet", triggers: { event: "ui/greet" } }, async ({ event, step }) => {
      const user = await step.run("load-user", () => ({ id: event.data.userId as number, name: "Ada" }));
      await step.sleep("short-pause", "1s");
      const greeting = await step.run("compose-greeting", () => `Hello, ${user.name}!`);
      return { greeting };
    }),
    // Every attempt of its step fails, each with its own message, soon after the last.
    inngest.createFunction({ id: "flaky", retries: 2, triggers: { event: "ui/flaky" } }, async ({ step, attempt }) => {
      await step.run("shaky", () => {
        throw new RetryAfterError(`attempt ${attempt + 1} broke`, 500);
      });
    }),
    inngest.createFunction({ id: "parent", triggers: { event: "ui/parent" } }, async ({ step }) => {
      return step.invoke("call-child", { function: child, data: { n: 2 } });
    }),
    child,
    inngest.createFunction({ id: "waiter", triggers: { event: "ui/hold" } }, async ({ step }) => {
      const go = await step.waitForEvent("wait-go", { event: "ui/go", timeout: "5m" });
      return { woken: go !== null };
    }),
    inngest.createFunction({ id: "stoppable", triggers: { event: "ui/hold" }, cancelOn: [{ event: "ui/go" }] }, async ({ step }) => {
      await step.sleep("hold-on", "10m");
    }),
    inngest.createFunction({ id: "napper", triggers: { event: "ui/nap" } }, async ({ step }) => {
      await step.run("before-nap", () => "awake");
      await step.sleep("long-nap", "10m");
      await step.run("after-nap", () => "rested");
    }),
  ]);
  page.on("pageerror", (err) => pageErrors.push(err));
});

afterEach(() => {
  expect(pageErrors).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await server?.dispose();
});

/** Opens the run of the newest row in the runs list for `fn` and returns its id. */
async function openNewestRun(fn: string): Promise<string> {
  await page.goto(`${server.url}/runs`);
  const row = page.locator("table.runs tbody tr", { hasText: fn }).first();
  await row.waitFor({ timeout: SEEN_MS });
  const runId = (await row.getAttribute("data-run"))!;
  // The row's centre may fall on its trigger event's link (it depends on the font's widths).
  await row.locator("td").first().click();
  await page.waitForURL(`**/runs/${runId}`);
  return runId;
}

describe("dashboard", () => {
  it("tells a new user how to connect, then shows the app synced from the Apps page", async () => {
    await page.goto(`${server.url}/apps`);
    const onboarding = page.locator(".empty");
    await expect.poll(() => onboarding.textContent()).toContain("No apps synced yet");
    expect(await onboarding.textContent()).toContain(`INNGEST_DEV=${server.url}`);

    await page.fill("input[name=url]", app.url);
    await page.click("button:has-text('Sync app')");
    const card = page.locator(`[data-app="${APP_ID}"]`);
    await card.waitFor({ timeout: SEEN_MS });
    expect(await card.textContent()).toContain(app.url);

    await page.click("nav >> text=Functions");
    await page.locator(`[data-function="${APP_ID}-greet"]`).waitFor();
    expect(await page.locator(`[data-function="${APP_ID}-greet"]`).textContent()).toContain("ui/greet");
  });

  it("sends a test event from the header and shows the run it started in the runs list", async () => {
    await page.goto(`${server.url}/runs`);
    await page.click("#send-event");
    await page.fill(".modal textarea", "{ not json");
    expect(await page.locator(".modal .invalid").textContent()).toContain("Not valid JSON");
    expect(await page.locator(".modal button.primary").isDisabled()).toBe(true);
    await page.fill(".modal textarea", JSON.stringify({ name: "ui/greet", data: { userId: 42 } }));
    await page.click(".modal button.primary");
    await page.locator(".toast", { hasText: "Sent 1 event" }).waitFor();

    const row = page.locator("table.runs tbody tr", { hasText: "greet" }).first();
    await row.waitFor({ timeout: SEEN_MS });
    expect(await row.textContent()).toContain("ui/greet");
  });

  it("shows the run's steps with their outputs on a waterfall, sleep included", async () => {
    await openNewestRun("greet");
    await page.locator("h1 .pill.completed").waitFor({ timeout: SEEN_MS });
    for (const step of ["load-user", "short-pause", "compose-greeting"]) {
      await page.locator(`.wf-row[data-step="${step}"]`).waitFor();
    }
    expect(await page.locator('.wf-row[data-step="short-pause"] .wf-bar').getAttribute("class")).toContain("wait");

    await page.click('.wf-row[data-step="load-user"]');
    await page.click('.wf-row[data-step="compose-greeting"]');
    const details = page.locator(".wf-detail");
    await expect.poll(() => details.count()).toBe(2);
    expect(await details.nth(0).textContent()).toContain('"name": "Ada"');
    expect(await details.nth(1).textContent()).toContain('"Hello, Ada!"');
    expect(await page.locator("main").textContent()).toContain('"greeting": "Hello, Ada!"');
    await screenshot(page, "run-timeline");
  });

  it("reruns a run from a chosen step, reusing the results before it", async () => {
    await openNewestRun("greet");
    await page.locator("h1 .pill.completed").waitFor({ timeout: SEEN_MS });
    await page.click('.wf-row[data-step="compose-greeting"]');
    await page.click(".wf-detail button:has-text('Rerun from this step')");
    await page.locator("text=Rerun of").waitFor({ timeout: SEEN_MS });
    await page.locator("h1 .pill.completed").waitFor({ timeout: SEEN_MS });
    expect(await page.locator("main").textContent()).toContain("from step compose-greeting");
    // The earlier steps were not run again, so they have no rows of their own.
    expect(await page.locator(".wf-row.step").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-step")))).toEqual(["compose-greeting"]);
  });

  it("invokes a function with a payload from the functions page", async () => {
    await page.goto(`${server.url}/functions`);
    await page.click(`[data-function="${APP_ID}-greet"] button:has-text('Invoke')`);
    await page.fill(".modal textarea", JSON.stringify({ data: { userId: 7 } }));
    await page.click(".modal button.primary");
    await page.waitForURL("**/events/*");
    const run = page.locator("main table tr", { hasText: `${APP_ID}-greet` });
    await run.waitFor({ timeout: SEEN_MS });
    await run.click();
    await page.locator("h1 .pill.completed").waitFor({ timeout: SEEN_MS });
    expect(await page.locator("main").textContent()).toContain('"userId": 7');
  });

  it("searches the event stream by a field of the event's data", async () => {
    await sendEvents(server.url, [
      { name: "ui/lookup", data: { userId: 1001 } },
      { name: "ui/lookup", data: { userId: 1002 } },
    ]);
    await page.goto(`${server.url}/events`);
    await page.fill("input[name=field]", "data.userId=1002");
    await page.click("button:has-text('Search')");
    await expect.poll(() => page.locator("main table tbody tr").allTextContents(), { timeout: SEEN_MS }).toEqual([expect.stringContaining('{"userId":1002}')]);
    expect(page.url()).toContain("field=data.userId%3D1002");
  });

  it("cancels a sleeping run from its page", async () => {
    await sendEvents(server.url, { name: "ui/nap", data: {} });
    await openNewestRun("napper");
    await page.locator('.wf-row[data-step="long-nap"] .lbl', { hasText: "sleeping" }).waitFor({ timeout: SEEN_MS });

    page.once("dialog", (dialog) => void dialog.accept());
    await page.click("button:has-text('Cancel run')");
    await page.locator("h1 .pill.cancelled").waitFor({ timeout: SEEN_MS });
    expect(await page.locator("main").textContent()).toContain("FunctionCancelledError");
    expect(await page.locator('.wf-row[data-step="after-nap"]').count()).toBe(0);
  });

  it("shows every failed attempt's error on the step that failed", async () => {
    await sendEvents(server.url, { name: "ui/flaky", data: {} });
    await openNewestRun("flaky");
    await page.locator("h1 .pill.failed").waitFor({ timeout: 60_000 });
    await page.click('.wf-row[data-step="shaky"]');
    const attempts = page.locator(".wf-detail .attempts .attempt");
    await expect.poll(() => attempts.count(), { timeout: SEEN_MS }).toBe(3);
    for (const n of [1, 2, 3]) {
      expect(await page.locator(`.wf-detail .attempt[data-attempt="${n}"]`).textContent()).toContain(`attempt ${n} broke`);
    }
    await screenshot(page, "run-attempts");
  });

  it("links an invoke step to the run it started, and that run back to its parent", async () => {
    await sendEvents(server.url, { name: "ui/parent", data: {} });
    const parentId = await openNewestRun("parent");
    await page.locator("h1 .pill.completed").waitFor({ timeout: SEEN_MS });
    const toChild = page.locator('.wf-row[data-step="call-child"] a[data-invoked]');
    await toChild.waitFor({ timeout: SEEN_MS });
    const childId = (await toChild.getAttribute("data-invoked"))!;
    await toChild.click();
    await page.waitForURL(`**/runs/${childId}`);
    await page.locator("h1", { hasText: "child" }).waitFor({ timeout: SEEN_MS });
    const back = page.locator(`[data-invoked-by="${parentId}"] a`);
    await back.waitFor({ timeout: SEEN_MS });
    await back.click();
    await page.waitForURL(`**/runs/${parentId}`);
    await page.locator('.wf-row[data-step="call-child"]').waitFor({ timeout: SEEN_MS });
  });

  it("counts and links on an event's page the wait it resumed and the run it cancelled", async () => {
    await sendEvents(server.url, { name: "ui/hold", data: {} });
    await openNewestRun("stoppable");
    await page.locator('.wf-row[data-step="hold-on"] .lbl', { hasText: "sleeping" }).waitFor({ timeout: SEEN_MS });
    const waiterId = await openNewestRun("waiter");
    await page.locator('.wf-row[data-step="wait-go"] .lbl', { hasText: "waiting" }).waitFor({ timeout: SEEN_MS });

    const [eventId] = await sendEvents(server.url, { name: "ui/go", data: {} });
    await page.goto(`${server.url}/events/${eventId}`);
    await expect.poll(() => page.locator('[data-effect-count="resumed"]').textContent(), { timeout: SEEN_MS }).toBe("1");
    await expect.poll(() => page.locator('[data-effect-count="cancelled"]').textContent(), { timeout: SEEN_MS }).toBe("1");
    expect(await page.locator('[data-effects="cancelled"]').textContent()).toContain("stoppable");
    expect(await page.locator('[data-effects="resumed"]').textContent()).toContain("wait-go");
    await page.click(`[data-effects="resumed"] a[href="/runs/${waiterId}"]`);
    await page.waitForURL(`**/runs/${waiterId}`);
    await page.locator("h1 .pill.completed").waitFor({ timeout: SEEN_MS });
  });

  it("draws the metrics from history, with totals that match the runs listed", async () => {
    // What history holds, as the run list reads it (every run of this file is in the last hour).
    const listed = async (status: string) => {
      const res = await fetch(`${server.url}/v0/runs?limit=100&status=${status}`);
      return ((await res.json()) as { data: unknown[] }).data.length;
    };
    await page.goto(`${server.url}/metrics?hours=1`);
    const charts = page.locator(".chart canvas");
    await expect.poll(() => charts.count(), { timeout: SEEN_MS }).toBeGreaterThanOrEqual(4);
    const metric = async (key: string) => Number(await page.locator(`tr[data-metric="${key}"] td`).textContent());
    expect(await metric("completed")).toBe(await listed("completed"));
    expect(await metric("failed")).toBe(await listed("failed"));
    expect(await metric("cancelled")).toBe(await listed("cancelled"));
    expect(await metric("failed")).toBeGreaterThanOrEqual(1);
    expect(await page.locator('tr[data-metric="latency"] td').textContent()).not.toBe("—");
    await screenshot(page, "metrics");

    await page.click(`tr[data-function="${APP_ID}-flaky"] a`);
    await page.waitForURL(`**/metrics/${APP_ID}-flaky?hours=1`);
    await expect.poll(() => page.locator(".chart canvas").count(), { timeout: SEEN_MS }).toBeGreaterThanOrEqual(4);
    expect(await metric("failed")).toBe(1);
    expect(await metric("completed")).toBe(0);
  });
});
